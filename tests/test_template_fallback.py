"""Unknown paths and unsupported methods are answered by the gateway: 405 + Allow, 404."""

from __future__ import annotations

import json

import pytest

from data_api_stack import ids
from tests.helpers import resources_of_type

ROUTE_RESOURCES = (ids.DATA_RESOURCE, ids.ITEM_RESOURCE)


def _origin(template: dict) -> str:
    return template["Resources"][ids.FUNCTION]["Properties"]["Environment"]["Variables"][
        "CORS_ORIGIN"]


def _methods_on(template: dict, resource_ref: object) -> dict[str, dict]:
    return {m["Properties"]["HttpMethod"]: m["Properties"]
            for m in resources_of_type(template, "AWS::ApiGateway::Method").values()
            if m["Properties"]["ResourceId"] == resource_ref}


def _mock_reply(method: dict) -> tuple[int, dict[str, str], dict]:
    integration = method["Integration"]
    assert integration["Type"] == "MOCK" and method["AuthorizationType"] == "NONE"
    status = json.loads(integration["RequestTemplates"]["application/json"])["statusCode"]
    (reply,) = integration["IntegrationResponses"]
    assert int(reply["StatusCode"]) == status and "SelectionPattern" not in reply
    declared = {r["StatusCode"]: r["ResponseParameters"] for r in method["MethodResponses"]}
    headers = {}
    for name, value in reply["ResponseParameters"].items():
        assert declared[reply["StatusCode"]][name] is True, f"{name} is not declared"
        headers[name.removeprefix("method.response.header.")] = value.strip("'")
    return status, headers, json.loads(reply["ResponseTemplates"]["application/json"])


@pytest.mark.parametrize("resource", ROUTE_RESOURCES)
def test_any_other_method_on_a_route_is_a_405_with_allow_and_cors(env_template, resource):
    _, template = env_template
    methods = _methods_on(template, {"Ref": resource})
    status, headers, body = _mock_reply(methods.pop("ANY"))
    assert status == 405
    assert set(headers["Allow"].split(", ")) == set(methods)  # the explicit methods
    assert headers["Access-Control-Allow-Origin"] == _origin(template)
    assert body["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_unknown_paths_and_the_root_are_a_404_json_with_cors(env_template):
    _, template = env_template
    (catch_all,) = [name for name, res in resources_of_type(
        template, "AWS::ApiGateway::Resource").items()
        if res["Properties"]["PathPart"] == "{proxy+}"]
    assert template["Resources"][catch_all]["Properties"]["ParentId"] == {
        "Fn::GetAtt": [ids.REST_API, "RootResourceId"]}
    for where in ({"Ref": catch_all}, {"Fn::GetAtt": [ids.REST_API, "RootResourceId"]}):
        methods = _methods_on(template, where)
        assert list(methods) == ["ANY"]
        status, headers, body = _mock_reply(methods["ANY"])
        assert status == 404 and body["error"]["code"] == "NOT_FOUND"
        assert headers["Access-Control-Allow-Origin"] == _origin(template)
