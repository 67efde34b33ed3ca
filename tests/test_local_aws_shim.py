"""The moto compatibility shims: needed (moto still lacks these) and sufficient."""

from __future__ import annotations

import subprocess

import pytest

from localdev.localaws import LOCALAWS_PYTHON, SERVER_SCRIPT

pytestmark = pytest.mark.e2e

PROBE = f"""
import sys
sys.path.insert(0, {str(SERVER_SCRIPT.parent)!r})
import moto_server
from moto.apigateway.models import Method, apigateway_backends
backend = apigateway_backends["123456789012"]["us-west-2"]
api = backend.create_rest_api("probe", "probe")
root = next(iter(backend.get_resources(api.id))).id
props = {{"Properties": {{"RestApiId": api.id, "ResourceId": root, "HttpMethod": "OPTIONS",
          "AuthorizationType": "NONE", "Integration": {{"Type": "MOCK"}}}}}}
try:
    Method.create_from_cloudformation_json("m", props, "123456789012", "us-west-2")
    print("without shim: ok")
except KeyError as error:
    print("without shim: KeyError", error)
moto_server.shim_mock_integrations()
method = Method.create_from_cloudformation_json("m", props, "123456789012", "us-west-2")
print("with shim:", method.method_integration.integration_type)
from moto.core.common_models import CloudFormationModel
types = lambda: {{m.cloudformation_type() for m in CloudFormationModel.__subclasses__()}}
print("alias modelled:", "AWS::Lambda::Alias" in types())
moto_server.shim_lambda_alias()
print("alias modelled:", "AWS::Lambda::Alias" in types())
"""


def test_shims_fix_mock_integrations_and_model_lambda_aliases():
    result = subprocess.run([str(LOCALAWS_PYTHON), "-c", PROBE], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # If moto fixes this upstream, the first assertion tells us to drop the shim.
    assert lines[0] == "without shim: KeyError 'IntegrationHttpMethod'"
    assert lines[1] == "with shim: MOCK"
    assert lines[2:4] == ["alias modelled: False", "alias modelled: True"]
