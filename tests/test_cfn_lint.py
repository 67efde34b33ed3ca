"""cfn-lint on every rendered template: zero findings at every level, I included."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.helpers import BIN, STACKS, generate


@pytest.mark.parametrize("stack", STACKS)
def test_cfn_lint_finds_nothing(stack, tmp_path):
    path = tmp_path / (stack.replace("/", "-") + ".json")
    path.write_text(json.dumps(generate(stack)))
    result = subprocess.run([str(BIN / "cfn-lint"), "--include-checks", "I",
                             "--regions", "us-west-2", "--", str(path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
