"""The rendered API stack, both environments: API Gateway routes, CORS, stage."""

from __future__ import annotations

import functools
import json
import re

import pytest

from data_api import routes
from data_api_stack import build_template, ids, parse_config
from data_api_stack.api import method_id
from tests.helpers import PROJECT, arn_like, resources_of_type, sceptre, settings

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
    wanted = settings(env).get("snapstart", False)
    assert snapstart == ({"ApplyOn": "PublishedVersions"} if wanted else None)


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


# What browsers and clients need from CORS, stated independently of cors.py: they
# send these request headers, and read these response headers (ETag for If-Match,
# Location after POST, Retry-After on 503).
CLIENT_REQUEST_HEADERS = {"content-type", "if-match", "authorization"}
CLIENT_READ_HEADERS = {"etag", "location", "retry-after"}
MAX_AGE_CAP = 7200  # Chromium caps Access-Control-Max-Age at 2 hours


@functools.cache
def configured_origin(env: str) -> str:
    """cors_origin as Sceptre reads config/<env>/api.yaml: not from the code under test."""
    out = sceptre("--ignore-dependencies", "--output", "json", "dump", "config",
                  f"{env}/api.yaml").stdout
    return json.loads(out[out.index("{"):])["sceptre_user_data"]["cors_origin"]


def _literal_headers(parameters: dict[str, str], prefix: str) -> dict[str, str]:
    headers = {}
    for name, value in parameters.items():
        assert value.startswith("'") and value.endswith("'"), f"{name}: not a literal"
        headers[name.removeprefix(prefix).lower()] = value[1:-1]
    return headers


def _assert_response_cors(headers: dict[str, str], origin: str) -> None:
    assert headers["access-control-allow-origin"] == origin
    # One origin: a shared cache must key on Origin; '*' needs no Vary.
    assert (headers.get("vary") == "Origin") == (origin != "*")
    exposed = {h.strip().lower() for h in headers["access-control-expose-headers"].split(",")}
    assert CLIENT_READ_HEADERS <= exposed


@pytest.mark.parametrize("resource", [ids.DATA_RESOURCE, ids.ITEM_RESOURCE])
def test_preflight_is_a_mock_answering_what_browsers_need(env_template, resource):
    env, template = env_template
    methods = {m["Properties"]["HttpMethod"]: m["Properties"] for m in resources_of_type(
        template, "AWS::ApiGateway::Method").values()
        if m["Properties"]["ResourceId"] == {"Ref": resource}}
    preflight = methods.pop("OPTIONS")
    methods.pop("ANY", None)
    integration = preflight["Integration"]
    assert integration["Type"] == "MOCK"
    assert json.loads(integration["RequestTemplates"]["application/json"]) == {"statusCode": 204}
    (response,) = integration["IntegrationResponses"]
    assert response["StatusCode"] == preflight["MethodResponses"][0]["StatusCode"] == "204"
    headers = _literal_headers(response["ResponseParameters"], "method.response.header.")
    _assert_response_cors(headers, configured_origin(env))
    allowed = {m.strip() for m in headers["access-control-allow-methods"].split(",")}
    assert allowed == {*methods, "OPTIONS"}  # exactly the methods this resource serves
    asked = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert CLIENT_REQUEST_HEADERS <= asked
    assert 0 < int(headers["access-control-max-age"]) <= MAX_AGE_CAP


@pytest.mark.parametrize("kind", ["DEFAULT_4XX", "DEFAULT_5XX"])
def test_gateway_errors_carry_the_configured_cors_and_json(env_template, kind):
    env, template = env_template
    (found,) = [r["Properties"] for r in resources_of_type(
        template, "AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == kind]
    _assert_response_cors(_literal_headers(found["ResponseParameters"],
                                           "gatewayresponse.header."), configured_origin(env))
    body = found["ResponseTemplates"]["application/json"]
    filled = body.replace("$context.error.responseType", "X").replace(
        "$context.error.messageString", '"m"')
    assert json.loads(filled) == {"error": {"code": "X", "message": "m"}}


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

    cfg = parse_config({**PROJECT, "environment": "dev", "code_key": CODE_KEY})
    before = _deployment_id(build_template(cfg).to_json())
    logical_id, status, body = api.GATEWAY_RESPONSES["MISSING_AUTHENTICATION_TOKEN"]
    monkeypatch.setitem(api.GATEWAY_RESPONSES, "MISSING_AUTHENTICATION_TOKEN",
                        (logical_id, status, body.replace("missing", "absent")))
    assert _deployment_id(build_template(cfg).to_json()) != before


def _deployment_id(template_json: str) -> str:
    (name,) = [n for n in json.loads(template_json)["Resources"] if n.startswith("Deployment")]
    return name


def test_changed_routes_make_a_new_deployment(monkeypatch):
    cfg = parse_config({**PROJECT, "environment": "dev", "code_key": CODE_KEY})
    before = _deployment_id(build_template(cfg).to_json())
    assert _deployment_id(build_template(cfg).to_json()) == before  # stable
    monkeypatch.setattr(routes, "ITEM_METHODS", ("GET", "PUT", "OPTIONS"))
    assert _deployment_id(build_template(cfg).to_json()) != before


def test_changed_cors_makes_a_new_deployment():
    one = parse_config({**PROJECT, "environment": "dev", "code_key": CODE_KEY})
    two = parse_config({**PROJECT, "environment": "dev", "code_key": CODE_KEY,
                        "cors_origin": "https://a.example.com"})
    assert _deployment_id(build_template(one).to_json()) != _deployment_id(
        build_template(two).to_json())


def test_stage_named_after_env_with_logs_throttling_tracing(dev_template, prod_template):
    for env, template, rate, burst in (("dev", dev_template, 10, 20),
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


def test_one_invoke_permission_lets_only_this_apis_stage_call_the_function(env_template):
    """One grant for the whole stage, not one per method: Lambda caps the function's
    resource policy at 20 KB, which per-method grants filled at eight collections."""
    env, template = env_template
    (perm,) = resources_of_type(template, "AWS::Lambda::Permission").values()
    props = perm["Properties"]
    assert props["Principal"] == "apigateway.amazonaws.com"
    assert props["Action"] == "lambda:InvokeFunction"
    assert props["FunctionName"] == _invoke_target(template)
    arn, variables = props["SourceArn"]["Fn::Sub"]
    assert variables == {"Api": {"Ref": ids.REST_API}}
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/"
    for path, verb in PROXY_ROUTES:  # every method API Gateway invokes it from
        assert arn_like(arn, f"{prefix}{env}/{verb}{path.replace('{id}', 'item-1')}")
    for other in (f"{prefix}other/GET/data", f"{prefix}{env}x/GET/data",
                  f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:"
                  f"other-api/{env}/GET/data"):
        assert not arn_like(arn, other)
