"""cdk-nag's AwsSolutions rules (its own venv, .venv-cdk, through CfnInclude) on every
rendered template: zero unsuppressed findings.

One run of tools/cdk_nag_scan.py over every template, as rendered and with the cdk_nag
suppressions stripped (under bare/): jsii starts once. The only suppressions are
data_api_stack.lint_suppressions.CDK_NAG's, each with its reason; README lists them.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from data_api_stack.lint_suppressions import CDK_NAG
from tests.helpers import REPO
from tests.test_checkov import _rendered

CDK_PYTHON = REPO / ".venv-cdk" / "bin" / "python"
SCAN = REPO / "tools" / "cdk_nag_scan.py"


def _without_nag_suppressions(template: dict) -> dict:
    bare = json.loads(json.dumps(template))
    for resource in bare["Resources"].values():
        resource.get("Metadata", {}).pop("cdk_nag", None)
    return bare


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], dict, dict]:
    """(the findings, as rendered and stripped, the templates by file path, each
    resource's type by (file path, logical id))."""
    assert CDK_PYTHON.exists(), f"{CDK_PYTHON} is missing: `make venv` builds it"
    folder = tmp_path_factory.mktemp("rendered")
    (folder / "bare").mkdir()
    templates, types = {}, {}
    for name, template in _rendered().items():
        for path, body in ((folder / f"{name}.json", template),
                           (folder / "bare" / f"{name}.json", _without_nag_suppressions(template))):
            path.write_text(json.dumps(body))
            templates[str(path.resolve())] = body
            types.update({(str(path.resolve()), logical_id): resource["Type"]
                          for logical_id, resource in body["Resources"].items()})
    result = subprocess.run([str(CDK_PYTHON), str(SCAN), *templates], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout), templates, types


def _bare(finding: dict) -> bool:
    return "/bare/" in finding["template"]


def test_cdk_nag_finds_nothing_unsuppressed(scan):
    findings, templates, _ = scan
    assert len(templates) >= 2 * 8  # every stack and auth variant, twice
    unsuppressed = [f"{f['rule']} {f['logical_id']} ({Path(f['template']).name})"
                    for f in findings[0:] if not _bare(f)]
    assert unsuppressed == []


def test_every_nag_suppression_silences_a_real_finding_and_only_those(scan):
    findings, _, types = scan
    found = {(f["rule"].split("[")[0], types[(f["template"], f["logical_id"])])
             for f in findings if _bare(f)}
    assert found == {(r.check_id, r.resource_type) for r in CDK_NAG}
    # Rules with several findings per resource are suppressed per finding (applies_to).
    for f in findings:
        if _bare(f) and "[" in f["rule"]:
            rule_id, finding = f["rule"][:-1].split("[", 1)
            assert any(_covers(a, finding) for r in CDK_NAG if r.check_id == rule_id
                       for a in r.applies_to), f["rule"]


def _covers(applies_to, finding: str) -> bool:
    if isinstance(applies_to, dict):  # cdk-nag's {"regex": "/pattern/"}
        return re.match(applies_to["regex"].strip("/"), finding) is not None
    return applies_to == finding


def test_every_suppression_is_written_with_its_reason(scan):
    _, templates, _ = scan
    written = {(s["id"], s["reason"]) for body in templates.values()
               for resource in body["Resources"].values()
               for s in resource.get("Metadata", {}).get("cdk_nag", {}).get(
                   "rules_to_suppress", [])}
    assert written == {(r.check_id, r.reason) for r in CDK_NAG}
    assert all(len(reason) >= 10 for _, reason in written)  # cdk-nag's own minimum


def test_readme_lists_every_nag_and_lint_suppression_with_its_reason():
    from data_api_stack.lint_suppressions import CFN_LINT

    readme = (REPO / "README.md").read_text()
    for r in (*CDK_NAG, *CFN_LINT):
        assert f"| {r.check_id} | `{r.resource_type}` | {r.reason} |" in readme, r.check_id
