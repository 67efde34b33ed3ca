"""cfn-lint on every rendered template: zero findings at every level, I included, with
the serverless rules (cfn-lint-serverless); the only silenced ones are
data_api_stack.lint_suppressions.CFN_LINT's."""

from __future__ import annotations

import json
import subprocess

import pytest

from data_api_stack import project
from tests.helpers import AUTH_VARIANTS, BIN, ENVIRONMENTS, REPO, STACKS, generate, \
    render_auth_variant, render_collections_variant, render_many_collections

# Every region config/ launches a stack in, as `make lint` checks them.
REGIONS = project.regions(REPO)


def _lint(path):
    return subprocess.run([str(BIN / "cfn-lint"), "--include-checks", "I",
                           "--regions", *REGIONS, "-a", "cfn_lint_serverless.rules",
                           "--", str(path)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("stack", STACKS)
def test_cfn_lint_finds_nothing(stack, tmp_path):
    path = tmp_path / (stack.replace("/", "-") + ".json")
    path.write_text(json.dumps(generate(stack)))
    result = _lint(path)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.parametrize("variant", sorted(AUTH_VARIANTS))
def test_cfn_lint_finds_nothing_in_other_auth_modes(variant, tmp_path):
    path = tmp_path / f"{variant}.json"
    path.write_text(render_auth_variant(variant))
    result = _lint(path)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cfn_lint_finds_nothing_with_three_collections(env, tmp_path):
    """Each environment's API stack with tests.helpers.COLLECTIONS_VARIANT: the default
    collection, one on demand at its own path, one provisioned (autoscaled in prod)."""
    path = tmp_path / f"collections-{env}.json"
    path.write_text(render_collections_variant(env))
    result = _lint(path)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.parametrize("auth", ["", "iam"])
def test_cfn_lint_finds_nothing_with_fifteen_collections_in_prod(auth, tmp_path):
    """One prod stack holds fifteen collections (tests.helpers.MANY_COLLECTIONS) under
    every limit cfn-lint knows (500 resources, 1 MB, property sizes), in both modes."""
    path = tmp_path / f"many-collections-prod{auth}.json"
    path.write_text(render_many_collections("prod", auth))
    result = _lint(path)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_every_cfn_lint_suppression_silences_a_real_finding(tmp_path):
    """Stripped of its Metadata.cfn-lint, each template shows exactly the listed rules on
    the listed resource types: the serverless rules do run, and no suppression is stale."""
    from data_api_stack.lint_suppressions import CFN_LINT
    from tests.test_checkov import _rendered

    found, types = set(), {}
    for name, template in _rendered().items():
        for logical_id, resource in template["Resources"].items():
            resource.get("Metadata", {}).pop("cfn-lint", None)
            types[(name, logical_id)] = resource["Type"]
        (tmp_path / f"{name}.json").write_text(json.dumps(template))
    result = subprocess.run([str(BIN / "cfn-lint"), "--include-checks", "I", "--regions",
                             *REGIONS, "-a", "cfn_lint_serverless.rules", "--format", "json",
                             "--", *map(str, sorted(tmp_path.glob("*.json")))],
                            capture_output=True, text=True, timeout=300)
    for match in json.loads(result.stdout):
        name = match["Filename"].rsplit("/", 1)[-1].removesuffix(".json")
        logical_id = match["Location"]["Path"][1]
        found.add((match["Rule"]["Id"], types[(name, logical_id)]))
    assert found == {(r.check_id, r.resource_type) for r in CFN_LINT}
