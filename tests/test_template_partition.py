"""Every ARN the templates build names its partition through ${AWS::Partition}."""

from __future__ import annotations

import json

import pytest

from tests.helpers import generate
from tests.test_cfn_lint import STACKS


@pytest.mark.parametrize("stack", STACKS)
def test_no_arn_hard_codes_the_aws_partition(stack):
    rendered = json.dumps(generate(stack))
    assert "arn:aws:" not in rendered and "arn:aws-" not in rendered
