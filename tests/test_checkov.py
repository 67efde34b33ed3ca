"""checkov (its own venv, offline) on every rendered template: zero failed checks.

The only skipped checks are the inline suppressions of data_api_stack.suppressions,
each with its reason; README lists the same table.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from data_api_stack.suppressions import SUPPRESSIONS
from tests.helpers import AUTH_VARIANTS, ENVIRONMENTS, REPO, STACKS, generate, \
    render_auth_variant, render_collections_variant, render_many_collections

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"


def _without_suppressions(template: dict) -> dict:
    bare = json.loads(json.dumps(template))
    for resource in bare["Resources"].values():
        resource.get("Metadata", {}).pop("checkov", None)
    return bare


ANONYMOUS = "auth-none"  # the variant whose data methods are open on purpose


def _rendered() -> dict[str, dict]:
    """Every template we ship, by file name: each stack config, the API stack in the
    other access-control modes, and each environment's API stack with three collections
    (tests.helpers.COLLECTIONS_VARIANT), also in IAM mode."""
    templates = {stack.removesuffix(".yaml").replace("/", "-"): generate(stack)
                 for stack in STACKS}
    templates.update({f"auth-{variant}": json.loads(render_auth_variant(variant))
                      for variant in AUTH_VARIANTS})
    templates.update({f"collections-{env}": json.loads(render_collections_variant(env))
                      for env in ENVIRONMENTS})
    # Per-method IAM policies name every collection's routes.
    templates["collections-auth-iam"] = json.loads(render_collections_variant("dev", "iam"))
    # One stack's worth: prod with fifteen collections, in both its modes.
    templates["many-collections-prod"] = json.loads(render_many_collections("prod"))
    templates["many-collections-prod-iam"] = json.loads(render_many_collections("prod", "iam"))
    return templates


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, int, set[tuple[str, str]]]:
    """checkov's JSON report over every rendered template, as rendered and with the
    suppressions stripped (under bare/), how many resources the rendered ones have, and
    the Lambda proxy methods that must be authorized, as (file, resource)."""
    assert CHECKOV.exists(), f"{CHECKOV} is missing: `make test` (or `make venv`) builds it"
    folder = tmp_path_factory.mktemp("rendered")
    (folder / "bare").mkdir()
    resources, proxies = 0, set()
    for name, template in _rendered().items():
        resources += len(template["Resources"])
        if name != ANONYMOUS:
            proxies |= {(f"{name}.json", f"{res['Type']}.{logical_id}")
                        for logical_id, res in template["Resources"].items()
                        if res.get("Properties", {}).get("Integration", {}).get("Type")
                        == "AWS_PROXY"}
        (folder / f"{name}.json").write_text(json.dumps(template, indent=1))
        (folder / "bare" / f"{name}.json").write_text(
            json.dumps(_without_suppressions(template), indent=1))
    result = subprocess.run([str(CHECKOV), "--skip-download", "--framework", "cloudformation",
                             "--output", "json", "--directory", str(folder)],
                            capture_output=True, text=True, timeout=600)
    # Exit 1 means failed checks; the report says which, so the assertions show them.
    assert result.returncode in (0, 1), result.stderr[-3000:]
    return json.loads(result.stdout), resources, proxies


def _where(check: dict) -> tuple[str, str]:
    return Path(check["file_path"]).name, check["resource"]


def _checks(scan: tuple[dict, int, set[tuple[str, str]]], outcome: str,
            bare: bool) -> list[dict]:
    report = scan[0]
    return [c for c in report["results"].get(outcome, [])
            if ("/bare/" in c["file_path"]) == bare]


def test_checkov_read_every_resource_and_fails_none(scan):
    report, resources, proxies = scan
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] == 2 * resources  # every template, twice, was scanned
    assert summary["passed"] > 0
    failures = [f"{c['check_id']} {c['resource']} ({Path(c['file_path']).name}): "
                f"{c['check_name']}" for c in _checks(scan, "failed_checks", bare=False)]
    assert failures == []
    # The data methods pass on their merits, CKV_AWS_59 (authorization) included, in
    # every template but the acknowledged anonymous one.
    passed = {_where(c) for c in _checks(scan, "passed_checks", bare=False)
              if c["check_id"] == "CKV_AWS_59"}
    assert proxies and proxies <= passed


def test_every_skip_is_a_listed_suppression_with_its_reason(scan):
    reasons = {(s.check_id, s.reason) for s in SUPPRESSIONS}
    for check in _checks(scan, "skipped_checks", bare=False):
        assert (check["check_id"], check["check_result"]["suppress_comment"]) in reasons, \
            check["resource"]
        # The data methods' own checks are never skipped: they must pass on their merits.
        assert _where(check) not in scan[2]


def test_every_suppression_silences_a_real_failure_and_only_those(scan):
    unsuppressed = {(c["check_id"], c["resource"].split(".")[0])
                    for c in _checks(scan, "failed_checks", bare=True)}
    assert unsuppressed == {(s.check_id, s.resource_type) for s in SUPPRESSIONS}


def test_readme_lists_every_suppression_with_its_reason():
    readme = (REPO / "README.md").read_text()
    for s in SUPPRESSIONS:
        assert f"| {s.check_id} | `{s.resource_type}` | {s.reason} |" in readme
