"""cfn-lint on every rendered template: zero findings at every level, I included."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.helpers import AUTH_VARIANTS, BIN, STACKS, generate, render_auth_variant


def _lint(path):
    return subprocess.run([str(BIN / "cfn-lint"), "--include-checks", "I",
                           "--regions", "us-west-2", "--", str(path)],
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
