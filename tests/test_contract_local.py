"""The local API applies the launched template's request models as API Gateway does,
and serves the OpenAPI document and its docs page (local-only paths)."""

from __future__ import annotations

import copy
import json
import os

import pytest
from werkzeug.test import Client

from data_api import routes
from data_api_stack import build_template, parse_config
from data_api_stack.openapi import build_openapi
from localdev.apiserver import LocalApi
from tests.helpers import PROJECT
from tests.test_local_api import echo_loader  # noqa: F401  (fixture: a handler echoing its event)

# Request validation only: the authorizer (which runs first) has its own tests.
CFG = parse_config({**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip",
                    "auth": "none", "allow_anonymous": True})
TEMPLATE = json.loads(build_template(CFG).to_json())
INVALID = json.dumps({"data": 1, "unknown": True})


def _client(template: dict, loader, monkeypatch) -> Client:
    monkeypatch.setattr(os, "environ", dict(os.environ))  # LocalApi sets function env vars
    return Client(LocalApi(template, {"COLLECTIONS": '{"/data": "t"}'}, loader, log=lambda line: None,
                           openapi=build_openapi(CFG, [])))


@pytest.fixture()
def local(echo_loader, monkeypatch):  # noqa: F811
    return _client(TEMPLATE, echo_loader, monkeypatch)


def _gateway_headers(response_type: str) -> dict[str, str]:
    props = next(r["Properties"] for r in TEMPLATE["Resources"].values()
                 if r["Type"] == "AWS::ApiGateway::GatewayResponse"
                 and r["Properties"]["ResponseType"] == response_type)
    return {k.removeprefix("gatewayresponse.header."): v.strip("'")
            for k, v in props["ResponseParameters"].items()}


def _invoked(reply) -> bool:
    return reply.status_code == 200 and "X-Version" in reply.headers  # the echo handler


@pytest.mark.parametrize("method, path", [("POST", "/dev/data"), ("PUT", "/dev/data/x")])
def test_a_body_breaking_the_model_is_the_gateway_400_and_no_invocation(local, method, path):
    reply = local.open(path, method=method, data=INVALID,
                       headers={"Content-Type": "application/json; charset=utf-8"})
    assert reply.status_code == 400 and not _invoked(reply)
    error = json.loads(reply.get_data())["error"]
    assert error["code"] == "BAD_REQUEST_BODY"
    assert error["message"].startswith("Invalid request body: [") and "unknown" in error["message"]
    for name, value in _gateway_headers("BAD_REQUEST_BODY").items():
        assert reply.headers[name] == value


@pytest.mark.parametrize("body", ["not json", "", '{"data": NaN}', '{"data": {"": 1}}',
                                  '{"data": 1e200}', '{"id": "", "data": 1}'])
def test_what_the_model_refuses_never_reaches_the_function(local, body):
    reply = local.post("/dev/data", data=body, headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and json.loads(reply.get_data())["error"]["code"] == \
        "BAD_REQUEST_BODY"


def test_a_valid_body_reaches_the_function(local):
    reply = local.post("/dev/data", data='{"id": "a", "data": {"n": [1, 2.5, null]}}',
                       headers={"Content-Type": "application/json"})
    assert _invoked(reply)


def test_only_the_models_content_type_is_validated(local):
    # No model for text/plain: API Gateway passes it on (the function answers 415).
    assert _invoked(local.post("/dev/data", data=INVALID, headers={"Content-Type": "text/plain"}))
    # No Content-Type at all: API Gateway takes it as application/json.
    assert local.post("/dev/data", data=INVALID).status_code == 400


def test_a_missing_required_parameter_is_bad_request_parameters(echo_loader, monkeypatch):  # noqa: F811
    template = copy.deepcopy(TEMPLATE)
    method = next(r["Properties"] for r in template["Resources"].values()
                  if r["Type"] == "AWS::ApiGateway::Method"
                  and r["Properties"]["HttpMethod"] == "GET"
                  and "RequestValidatorId" not in r["Properties"])
    method["RequestParameters"] = {"method.request.querystring.q": True}
    method["RequestValidatorId"] = {"Ref": "RequestParametersValidator"}
    local = _client(template, echo_loader, monkeypatch)
    for query in ("", "?q=", "?q=%20"):
        reply = local.get("/dev/data" + query)
        assert reply.status_code == 400 and not _invoked(reply)
        error = json.loads(reply.get_data())["error"]
        assert error == {"code": "BAD_REQUEST_PARAMETERS",
                         "message": "Missing required request parameters: [q]"}
    assert _invoked(local.get("/dev/data?q=1"))


def test_the_document_and_docs_page_are_served_locally(local):
    reply = local.get("/openapi.json")
    document = json.loads(reply.get_data())
    assert reply.status_code == 200 and document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/dev",
                                    "description": "this local API"}]
    assert {(path, method.upper()) for path, ops in document["paths"].items() for method in ops} \
        == {(path, method) for path, methods in routes.ROUTES.items() for method in methods
            if method != "OPTIONS"}
    page = local.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/docs/static/swagger-ui-bundle.js" in html and "/openapi.json" in html
    assert "https://" not in html.split("<body>")[1]  # nothing from a CDN
    script = local.get("/docs/static/swagger-ui-bundle.js")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.get_data()
    assert local.get("/docs/static/../apiserver.py").status_code == 404


def test_docs_paths_are_not_api_paths(local):
    # Only GET is served; anything else on them is what the deployed API would answer.
    reply = local.post("/openapi.json")
    assert reply.status_code == 404 and json.loads(reply.get_data())["error"]["code"] == \
        "NOT_FOUND"
