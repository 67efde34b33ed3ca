"""cfn-lint on every rendered template: zero findings at every level, I included."""

from __future__ import annotations

import json
import subprocess

import pytest

from data_api_stack import build_template, parse_config
from tests.helpers import BIN, STACKS, generate


# The other access-control modes, rendered in-process (dev and prod are both cognito).
AUTH_VARIANTS = {
    "iam": {"auth": "iam", "iam_account_ids": ["111122223333"]},
    "none": {"auth": "none", "allow_anonymous": True},
    "existing-pool": {"cognito_user_pool_arn":
                      "arn:aws:cognito-idp:us-west-2:111122223333:userpool/us-west-2_AbCdEf123"},
}


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
    cfg = parse_config({"environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip",
                        **AUTH_VARIANTS[variant]})
    path = tmp_path / f"{variant}.json"
    path.write_text(build_template(cfg).to_json())
    result = _lint(path)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
