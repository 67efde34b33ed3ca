"""`stack-review --deployed dev` against the embedded local AWS after a real
`sceptre launch -y dev` (GetTemplate through each stack's Sceptre connection settings,
AWS_ENDPOINT_URL pointing them at the local AWS)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from localdev.localaws import LocalAws
from tests.helpers import BIN, REGION, REVISION_PARTS, copy_project, edit, offline_env, sceptre, \
    settings_file

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAws]:
    with LocalAws(REGION, log_path=tmp_path_factory.mktemp("logs") / "localaws.log") as aws:
        yield aws


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, local_aws: LocalAws) -> Path:
    root = copy_project(tmp_path_factory.mktemp("project"), REVISION_PARTS)
    sceptre("launch", "-y", "dev", cwd=root, env=local_aws.env(offline_env()))
    return root


def review(project: Path, aws: LocalAws, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "stack-review"), "--deployed", "dev", *args],
                          cwd=project, capture_output=True, text=True,
                          env=aws.env(offline_env()), timeout=300)


def test_right_after_launch_the_deployed_templates_equal_the_working_tree(project, local_aws):
    result = review(project, local_aws, "--fail-on", "any")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("stack-review: deployed dev -> working tree")
    assert "No changes in 2 stacks." in result.stdout


def test_a_config_edit_shows_as_that_edit(project, local_aws):
    config = settings_file(project, "dev")
    saved = config.read_text()
    edit(config, "sceptre_user_data:\n", "sceptre_user_data:\n  memory_mb: 1024\n")
    try:
        result = review(project, local_aws, "--fail-on", "any")
    finally:
        config.write_text(saved)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ApiFunction (AWS::Lambda::Function) UPDATE" in result.stdout
    assert "MemorySize: 256 -> 1024" in result.stdout
    assert "dev/artifacts: no changes" in result.stdout
