"""Type hints are checked: mypy over every package the project ships."""

from __future__ import annotations

import os
import subprocess

from tests.helpers import BIN, REPO

PACKAGES = ("data_api", "deploy_hooks", "data_api_stack", "lambda_artifact", "localdev",
            "stack_review")


def test_mypy_finds_no_type_errors():
    args = [str(BIN / "mypy"), "--ignore-missing-imports", "--python-version", "3.11",
            "--cache-dir", str(REPO / ".cache" / "mypy")]
    for package in PACKAGES:
        args += ["-p", package]
    env = {**os.environ, "MYPYPATH": os.pathsep.join(
        str(REPO / d) for d in ("templates", "hooks", "handlers", "local", "tools"))}
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
