"""The README's make targets run as documented, each in a quick form: generate, review,
openapi, lint with checkov, fuzz, smoke's command line. (up, token and smoke for real:
test_make_up.py, and smoke with ENV on several collections: test_e2e_collections.py;
bench: test_bench.py.) What each target checks is tested in depth elsewhere; here, that the
target itself still works, so none can rot unseen."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ENVIRONMENTS, REPO, STACKS, offline_env


def make(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "--no-print-directory", *args], cwd=REPO,
                          env=offline_env(), capture_output=True, text=True, timeout=timeout)


def _json_documents(text: str) -> list[dict]:
    decoder, found, at = json.JSONDecoder(), [], 0
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        document, at = decoder.raw_decode(text, at)
        found.append(document)
    return found


def test_make_generate_prints_every_environments_template():
    result = make("generate")
    assert result.returncode == 0, result.stderr
    documents = _json_documents(result.stdout)
    assert len(documents) == len(ENVIRONMENTS), "one document per environment"
    tables = [doc["Resources"]["DataTable"]["Properties"]["TableName"]
              for doc in documents]
    assert tables == [f"serverless-data-{env}-items" for env in ENVIRONMENTS]


def test_make_review_reports_every_stack():
    result = make("review", "BASE=HEAD", "ARGS=--format markdown")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## Stack review: "), result.stdout[:500]
    for stack in STACKS:
        assert f"`{stack.removesuffix('.yaml')}`" in result.stdout, stack


def test_make_openapi_writes_the_environments_document(tmp_path: Path):
    out = tmp_path / "openapi-dev.json"
    result = make("openapi", "ENV=dev", f"OPENAPI_OUT={out}")
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["openapi"].startswith("3.1") and "/data/{id}" in document["paths"]


def test_make_lint_checkov_and_nag_pass_on_every_rendered_template():
    result = make("lint", "checkov", "nag")  # one rendering of every stack serves all three
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rendered = sorted(p.name for p in (REPO / ".cache" / "rendered").glob("*.json"))
    assert rendered == sorted(s.removesuffix(".yaml").replace("/", "-") + ".json"
                              for s in STACKS)


def test_make_fuzz_runs_the_contract_run():
    result = make("fuzz", "FUZZ_EXAMPLES=2")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and " failed" not in result.stdout, result.stdout[-1000:]


@pytest.mark.parametrize(("args", "env", "passed"), [
    ((), {}, None),  # ENV's own default (dev) is not passed: the checks stay on /data
    (("ENV=prod",), {}, "prod"),
    ((), {"ENV": "prod"}, "prod"),
    (("ENV=",), {}, None),
])
def test_make_smoke_passes_env_only_when_given(args, env, passed):
    result = subprocess.run(["make", "-n", "--no-print-directory", "smoke", "URL=http://x/dev",
                             *args], cwd=REPO, env=offline_env(**env), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    command = result.stdout.strip().splitlines()[-1]
    assert '-m localdev.smoke --url "http://x/dev"' in command
    if passed:
        assert command.endswith(f'--env "{passed}"'), command
    else:
        assert "--env" not in command, command


def test_make_backfill_of_an_environment_without_rules_says_so_offline():
    """Shipped dev and prod name no index or expiry: nothing to do, no AWS call (a real
    backfill: test_e2e_collections.py and test_handler_collection_rules.py)."""
    result = make("backfill", "ENV=prod", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "prod: no collection has indexes or an expiry; nothing to do" in result.stdout
    result = make("backfill", "ENV=nope", timeout=120)
    assert result.returncode != 0 and "error: no environment 'nope'" in result.stderr


def test_make_smoke_env_of_an_unknown_environment_is_one_line():
    result = make("smoke", "URL=http://127.0.0.1:9/dev", "ENV=nope", timeout=120)
    assert result.returncode != 0
    assert "error: no environment 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_make_token_rights_names_a_bad_right_in_one_line():
    """`make token RIGHTS=...` (README "Add a collection") reads the environment's
    collections first: a right on no collection of dev, or no right, is one line."""
    for rights, shown in (("orders:write", "'orders:write'"), ("data:admin", "'data:admin'"),
                          ("data:read data:write", "'data:write'")):
        result = make("token", f"RIGHTS={rights}", timeout=120)
        assert result.returncode != 0, result.stdout
        errors = [line for line in result.stderr.splitlines() if not line.startswith("make")]
        assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
        assert "RIGHTS: expected <collection>:read or <collection>:write" in result.stderr
        assert "of data;" in result.stderr and shown in result.stderr, result.stderr
