"""The moto compatibility shims: needed (moto still lacks these) and sufficient."""

from __future__ import annotations

import json
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


CODEDEPLOY_PROBE = f"""
import sys
sys.path.insert(0, {str(SERVER_SCRIPT.parent)!r})
import moto_server
from moto.core.common_models import CloudFormationModel
from moto.codedeploy.models import codedeploy_backends
types = lambda: {{m.cloudformation_type() for m in CloudFormationModel.__subclasses__()}}
print("modelled:", "AWS::CodeDeploy::DeploymentGroup" in types())
moto_server.shim_codedeploy()
print("modelled:", "AWS::CodeDeploy::Application" in types()
      and "AWS::CodeDeploy::DeploymentGroup" in types())
model = {{m.cloudformation_type(): m for m in CloudFormationModel.__subclasses__()}}
app = model["AWS::CodeDeploy::Application"].create_from_cloudformation_json(
    "App", {{"Properties": {{"ApplicationName": "a", "ComputePlatform": "Lambda"}}}},
    "123456789012", "us-west-2")
group_json = {{"Properties": {{"ApplicationName": "a", "DeploymentGroupName": "g",
    "ServiceRoleArn": "arn:aws:iam::123456789012:role/r",
    "DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    "AlarmConfiguration": {{"Enabled": True, "Alarms": [{{"Name": "x"}}]}}}}}}
group = model["AWS::CodeDeploy::DeploymentGroup"].create_from_cloudformation_json(
    "Group", group_json, "123456789012", "us-west-2")
print("refs:", app.physical_resource_id, group.physical_resource_id)
backend = codedeploy_backends["123456789012"]["us-west-2"]
found = backend.get_deployment_group("a", "g")
print("group:", found.deployment_config_name, found.alarm_configuration)
group.delete("123456789012", "us-west-2")
app.delete("123456789012", "us-west-2")
print("after delete:", backend.list_applications(), backend.deployment_groups)
"""


def test_codedeploy_shim_models_application_and_deployment_group():
    result = subprocess.run([str(LOCALAWS_PYTHON), "-c", CODEDEPLOY_PROBE], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # If moto models CodeDeploy upstream, the first line tells us to drop the shim.
    assert lines[0] == "modelled: False"
    assert lines[1] == "modelled: True"
    assert lines[2] == "refs: a g"
    assert lines[3] == ("group: CodeDeployDefault.LambdaCanary10Percent5Minutes "
                        "{'enabled': True, 'alarms': [{'name': 'x'}]}")
    assert lines[4] == "after delete: [] {}"


COGNITO_PROBE = f"""
import json, sys
sys.path.insert(0, {str(SERVER_SCRIPT.parent)!r})
import moto_server
from moto.cloudformation.parsing import get_model_list, get_model_map
from moto.cognitoidp.models import cognitoidp_backends
TYPES = ["AWS::Cognito::UserPool", "AWS::Cognito::UserPoolDomain",
         "AWS::Cognito::UserPoolResourceServer", "AWS::Cognito::UserPoolGroup",
         "AWS::Cognito::UserPoolClient"]
print(json.dumps([t in get_model_map() for t in TYPES]))
for shim in moto_server.SHIMS:
    shim()
get_model_list.cache_clear()
get_model_map.cache_clear()
models = get_model_map()
print(json.dumps([t in models for t in TYPES]))
account, region = "123456789012", "us-west-2"
def create(kind, props):
    return models[kind].create_from_cloudformation_json("x", {{"Properties": props}},
                                                        account, region)
pool = create(TYPES[0], {{"UserPoolName": "p", "MfaConfiguration": "OPTIONAL"}})
pool_id = pool.physical_resource_id
domain = create(TYPES[1], {{"UserPoolId": pool_id, "Domain": "probe-domain"}})
server = create(TYPES[2], {{"UserPoolId": pool_id, "Identifier": "api", "Name": "api",
                            "Scopes": [{{"ScopeName": "read", "ScopeDescription": "r"}}]}})
group = create(TYPES[3], {{"UserPoolId": pool_id, "GroupName": "readers", "Precedence": 1}})
client = create(TYPES[4], {{"UserPoolId": pool_id, "ClientName": "m", "GenerateSecret": True,
                            "AllowedOAuthFlows": ["client_credentials"]}})
backend = cognitoidp_backends[account][region]
stored = backend.describe_user_pool(pool_id)
print(json.dumps({{
    "arn": pool.get_cfn_attribute("Arn") == stored.arn,
    "domain": backend.describe_user_pool_domain("probe-domain").user_pool_id == pool_id,
    "server": list(stored.resource_servers), "group": list(stored.groups),
    "client": stored.clients[client.physical_resource_id].extended_config["AllowedOAuthFlows"],
    "secret": bool(client.get_cfn_attribute("ClientSecret")),
    "mfa": stored.extended_config.get("MfaConfiguration")}}))
for resource in (pool, client, group, server, domain):  # the pool first: the rest still go
    resource.delete(account, region)
print(json.dumps([pool_id in backend.user_pools, "probe-domain" in backend.user_pool_domains]))
"""


def test_cognito_shims_create_real_moto_pools_clients_groups_and_delete_them():
    result = subprocess.run([str(LOCALAWS_PYTHON), "-c", COGNITO_PROBE], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    # If moto models these upstream, the first line tells us to drop the shims.
    assert lines[0] == [False] * 5 and lines[1] == [True] * 5
    assert lines[2] == {"arn": True, "domain": True, "server": ["api"], "group": ["readers"],
                        "client": ["client_credentials"], "secret": True, "mfa": "OPTIONAL"}
    assert lines[3] == [False, False]
