"""The rendered API stack, both environments: API Gateway routes, CORS, stage."""

from __future__ import annotations

import json
import re

import pytest

from data_api import cors, routes
from data_api_stack import build_template, ids, parse_config
from data_api_stack.api import method_id
from tests.helpers import resources_of_type

PROXY_ROUTES = [(path, verb) for path, verbs in routes.ROUTES.items()
                for verb in verbs if verb != "OPTIONS"]
CODE_KEY = "lambda/api-" + "0" * 64 + ".zip"


def _invoke_target(template: dict) -> dict:
    """API Gateway invokes the live alias in every environment."""
    return {"Ref": ids.FUNCTION_ALIAS}


def test_every_environment_publishes_a_version_behind_the_live_alias(env_template):
    env, template = env_template
    resources = template["Resources"]
    (version_id,) = [k for k in resources if k.startswith(ids.FUNCTION_VERSION_PREFIX)]
    assert resources[version_id]["Type"] == "AWS::Lambda::Version"
    assert resources[version_id]["Properties"]["FunctionName"] == {"Ref": ids.FUNCTION}
    alias = resources[ids.FUNCTION_ALIAS]
    assert alias["Type"] == "AWS::Lambda::Alias" and alias["Properties"]["Name"] == "live"
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    snapstart = resources[ids.FUNCTION]["Properties"].get("SnapStart")
    assert snapstart == ({"ApplyOn": "PublishedVersions"} if env == "prod" else None)


def test_rest_api_is_regional(env_template):
    _, template = env_template
    api = template["Resources"][ids.REST_API]["Properties"]
    assert api["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_resources_are_data_and_data_id(env_template):
    _, template = env_template
    res = template["Resources"]
    assert res[ids.DATA_RESOURCE]["Properties"]["PathPart"] == "data"
    assert res[ids.DATA_RESOURCE]["Properties"]["ParentId"] == {
        "Fn::GetAtt": [ids.REST_API, "RootResourceId"]}
    assert res[ids.ITEM_RESOURCE]["Properties"]["PathPart"] == "{id}"
    assert res[ids.ITEM_RESOURCE]["Properties"]["ParentId"] == {"Ref": ids.DATA_RESOURCE}


def test_exactly_the_crud_methods_invoke_the_function(env_template):
    _, template = env_template
    methods = {(m["Properties"]["ResourceId"]["Ref"], m["Properties"]["HttpMethod"])
               for m in resources_of_type(template, "AWS::ApiGateway::Method").values()
               if m["Properties"]["Integration"]["Type"] == "AWS_PROXY"}
    assert methods == {(ids.DATA_RESOURCE, "GET"), (ids.DATA_RESOURCE, "POST"),
                       (ids.ITEM_RESOURCE, "GET"), (ids.ITEM_RESOURCE, "PUT"),
                       (ids.ITEM_RESOURCE, "DELETE")}


@pytest.mark.parametrize("path,verb", PROXY_ROUTES)
def test_methods_use_lambda_proxy_without_templates(env_template, path, verb):
    _, template = env_template
    method = template["Resources"][method_id(path, verb)]["Properties"]
    integration = method["Integration"]
    assert integration["Type"] == "AWS_PROXY"
    assert integration["IntegrationHttpMethod"] == "POST"
    assert "RequestTemplates" not in integration and "IntegrationResponses" not in integration
    uri = integration["Uri"]["Fn::Sub"]
    assert uri[0].endswith("/functions/${Fn}/invocations")
    assert uri[1]["Fn"] == _invoke_target(template)


@pytest.mark.parametrize("path", list(routes.ROUTES))
def test_preflight_is_a_mock_answering_cors(env_template, path):
    env, template = env_template
    origin = template["Resources"][ids.FUNCTION]["Properties"]["Environment"]["Variables"][
        "CORS_ORIGIN"]
    method = template["Resources"][method_id(path, "OPTIONS")]["Properties"]
    integration = method["Integration"]
    assert integration["Type"] == "MOCK"
    assert json.loads(integration["RequestTemplates"]["application/json"]) == {"statusCode": 204}
    response = integration["IntegrationResponses"][0]
    assert response["StatusCode"] == "204"
    expected = cors.preflight_headers(origin, routes.ROUTES[path])
    assert response["ResponseParameters"] == {
        f"method.response.header.{k}": f"'{v}'" for k, v in expected.items()}
    assert method["MethodResponses"][0]["StatusCode"] == "204"
    allowed = response["ResponseParameters"]["method.response.header.Access-Control-Allow-Methods"]
    assert set(allowed.strip("'").split(",")) == set(routes.ROUTES[path])
    if env == "prod":
        assert expected["Vary"] == "Origin" and origin != "*"


@pytest.mark.parametrize("kind", ["DEFAULT_4XX", "DEFAULT_5XX"])
def test_gateway_errors_carry_cors_and_json(env_template, kind):
    _, template = env_template
    origin = template["Resources"][ids.FUNCTION]["Properties"]["Environment"]["Variables"][
        "CORS_ORIGIN"]
    found = [r["Properties"] for r in resources_of_type(
        template, "AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == kind]
    assert len(found) == 1
    assert found[0]["ResponseParameters"] == {
        f"gatewayresponse.header.{k}": f"'{v}'" for k, v in cors.response_headers(origin).items()}
    assert '"error"' in found[0]["ResponseTemplates"]["application/json"]


def test_missing_authentication_token_is_a_401_json_with_cors(env_template):
    _, template = env_template
    (missing,) = [r["Properties"] for r in resources_of_type(
        template, "AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == "MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == "401"
    body = json.loads(missing["ResponseTemplates"]["application/json"])
    assert body["error"]["code"] == "UNAUTHORIZED"
    assert "gatewayresponse.header.Access-Control-Allow-Origin" in missing["ResponseParameters"]


def test_deployment_depends_on_every_api_object_its_hash_covers(env_template):
    """Every object hanging on the RestApi that a Deployment snapshots (everything with
    RestApiId but the Deployment and Stage) is a dependency: otherwise CloudFormation
    may snapshot the API before a new method or gateway response exists."""
    _, template = env_template
    (name, deployment), = resources_of_type(template, "AWS::ApiGateway::Deployment").items()
    assert re.fullmatch(r"Deployment[0-9a-f]{12}", name)
    snapshotted = {key for key, res in template["Resources"].items()
                   if res.get("Properties", {}).get("RestApiId") == {"Ref": ids.REST_API}
                   and res["Type"] not in ("AWS::ApiGateway::Deployment",
                                           "AWS::ApiGateway::Stage")}
    assert {"AWS::ApiGateway::Resource", "AWS::ApiGateway::Method",
            "AWS::ApiGateway::GatewayResponse"} <= {template["Resources"][key]["Type"]
                                                    for key in snapshotted}
    assert sorted(deployment["DependsOn"]) == sorted(snapshotted)


def test_changed_gateway_response_makes_a_new_deployment(monkeypatch):
    from data_api_stack import api

    cfg = parse_config({"environment": "dev", "code_key": CODE_KEY})
    before = _deployment_id(build_template(cfg).to_json())
    logical_id, status, body = api.GATEWAY_RESPONSES["MISSING_AUTHENTICATION_TOKEN"]
    monkeypatch.setitem(api.GATEWAY_RESPONSES, "MISSING_AUTHENTICATION_TOKEN",
                        (logical_id, status, body.replace("missing", "absent")))
    assert _deployment_id(build_template(cfg).to_json()) != before


def _deployment_id(template_json: str) -> str:
    (name,) = [n for n in json.loads(template_json)["Resources"] if n.startswith("Deployment")]
    return name


def test_changed_routes_make_a_new_deployment(monkeypatch):
    cfg = parse_config({"environment": "dev", "code_key": CODE_KEY})
    before = _deployment_id(build_template(cfg).to_json())
    assert _deployment_id(build_template(cfg).to_json()) == before  # stable
    monkeypatch.setitem(routes.ROUTES, routes.ITEM, ("GET", "PUT", "OPTIONS"))
    assert _deployment_id(build_template(cfg).to_json()) != before


def test_changed_cors_makes_a_new_deployment():
    one = parse_config({"environment": "dev", "code_key": CODE_KEY})
    two = parse_config({"environment": "dev", "code_key": CODE_KEY,
                        "cors_origin": "https://a.example.com"})
    assert _deployment_id(build_template(one).to_json()) != _deployment_id(
        build_template(two).to_json())


def test_stage_named_after_env_with_logs_throttling_tracing(dev_template, prod_template):
    for env, template, rate, burst in (("dev", dev_template, 20, 40),
                                       ("prod", prod_template, 100, 200)):
        stage = template["Resources"][ids.STAGE]["Properties"]
        assert stage["StageName"] == env
        assert stage["TracingEnabled"] is True
        assert stage["DeploymentId"]["Ref"].startswith("Deployment")
        log = stage["AccessLogSetting"]
        assert log["DestinationArn"] == {"Fn::GetAtt": [ids.ACCESS_LOG_GROUP, "Arn"]}
        assert json.loads(log["Format"])["requestId"] == "$context.requestId"
        (setting,) = stage["MethodSettings"]
        assert (setting["ResourcePath"], setting["HttpMethod"]) == ("/*", "*")
        assert setting["ThrottlingRateLimit"] == rate
        assert setting["ThrottlingBurstLimit"] == burst


@pytest.mark.parametrize("path,verb", PROXY_ROUTES)
def test_invoke_permission_scoped_to_this_api_stage_method_and_path(env_template, path, verb):
    env, template = env_template
    perms = resources_of_type(template, "AWS::Lambda::Permission")
    assert len(perms) == len(PROXY_ROUTES)
    perm = perms[method_id(path, verb).replace("Method", "Permission")]["Properties"]
    assert perm["Principal"] == "apigateway.amazonaws.com"
    assert perm["FunctionName"] == _invoke_target(template)
    arn, variables = perm["SourceArn"]["Fn::Sub"]
    assert variables == {"Api": {"Ref": ids.REST_API}}
    assert arn.endswith(f":${{Api}}/{env}/{verb}{path.replace('{id}', '*')}")
