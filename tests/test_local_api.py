"""The local API's translation: HTTP <-> REST proxy v1 events, gateway answers, reload."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest
from werkzeug.test import Client

from data_api_stack import build_template, parse_config
from localdev.apiserver import HandlerLoader, LocalApi
from tests.helpers import PROJECT

ECHO = '''
import json
VERSION = {version}
def handler(event, context):
    if event["path"].endswith("/crash"):
        raise RuntimeError("boom")
    if event["path"].endswith("/malformed"):
        return {{"body": "no status"}}
    return {{"statusCode": 200, "headers": {{"X-Version": str(VERSION)}},
             "multiValueHeaders": {{"Set-Cookie": ["a=1", "b=2"]}},
             "body": json.dumps(event)}}
'''


@pytest.fixture()
def echo_loader(tmp_path, monkeypatch):
    package = tmp_path / "echo_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(ECHO.format(version=1))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield HandlerLoader("echo_pkg.app.handler", source=package)
    for name in [n for n in sys.modules if n.startswith("echo_pkg")]:
        del sys.modules[name]


@pytest.fixture()
def client(echo_loader, monkeypatch):
    monkeypatch.setattr(os, "environ", dict(os.environ))  # LocalApi sets function env vars
    # Translation only: the authorizer's own checks are in test_local_authorizer.
    template = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip",
         "auth": "none", "allow_anonymous": True})).to_json())
    lines: list[str] = []
    app = LocalApi(template, {"COLLECTIONS": '{"/data": "t"}'}, echo_loader, log=lines.append)
    web = Client(app)
    web.access_log = lines
    return web


def test_request_becomes_a_rest_proxy_v1_event(client):
    reply = client.get("/dev/data/a%2Fb%20c?limit=5&x=1&x=2", headers={"X-Multi": "one"})
    assert reply.status_code == 200
    event = json.loads(reply.get_data())
    assert event["resource"] == "/data/{id}" and event["httpMethod"] == "GET"
    # As sent on the wire, like API Gateway (aws-sam-cli#771): never decoded.
    assert event["pathParameters"] == {"id": "a%2Fb%20c"}
    assert event["path"] == "/data/a%2Fb%20c"
    assert event["queryStringParameters"] == {"limit": "5", "x": "2"}
    assert event["multiValueQueryStringParameters"] == {"limit": ["5"], "x": ["1", "2"]}
    assert event["headers"]["X-Multi"] == "one" and event["multiValueHeaders"]["X-Multi"] == ["one"]
    context = event["requestContext"]
    assert context["stage"] == "dev" and context["path"].startswith("/dev/data/")
    assert len(context["requestId"]) == 36 and event["body"] is None
    assert reply.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


def test_binary_body_is_base64_and_text_is_not(client):
    # Content types with no request model: request validation lets them through.
    binary = json.loads(client.post("/dev/data", data=b"\xff\x00\xfe",
                                    content_type="application/octet-stream").get_data())
    assert binary["isBase64Encoded"] is True and binary["body"] == "/wD+"
    text = json.loads(client.post("/dev/data", data="é", content_type="text/plain").get_data())
    assert text["isBase64Encoded"] is False and text["body"] == "é"


def test_stage_prefix_is_optional(client):
    event = json.loads(client.get("/data").get_data())
    assert event["resource"] == "/data" and event["requestContext"]["path"] == "/data"


def test_gateway_answers_come_from_the_template_without_added_cors(client):
    preflight = client.options("/dev/data")
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    unknown = client.get("/dev/nothing/here")
    assert unknown.status_code == 404 and json.loads(unknown.get_data())["error"]["code"] == \
        "NOT_FOUND"
    assert unknown.headers["Access-Control-Allow-Origin"] == "*"
    # The handler's own response gets no CORS header the handler did not set.
    assert "Access-Control-Allow-Origin" not in client.get("/dev/data").headers


@pytest.mark.parametrize("path", ["/dev/data/crash", "/dev/data/malformed"])
def test_crash_or_malformed_response_is_a_502_gateway_error(client, path):
    reply = client.get(path)
    assert reply.status_code == 502
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(reply.get_data())["error"]["message"] == "Internal server error"


def test_access_log_is_the_stage_format(client):
    client.get("/dev/data/x")
    line = json.loads(client.access_log[-1])
    assert line["httpMethod"] == "GET" and line["resourcePath"] == "/data/{id}"
    assert line["status"] == "200" and line["requestId"]


def test_handler_reloads_when_its_code_changes(client, echo_loader):
    assert client.get("/dev/data/x").headers["X-Version"] == "1"
    source = echo_loader.source / "app.py"
    source.write_text(ECHO.format(version=2))
    later = time.time() + 5
    os.utime(source, (later, later))
    assert client.get("/dev/data/x").headers["X-Version"] == "2"


@pytest.mark.parametrize("method,path,allow", [
    ("PATCH", "/dev/data", "GET, POST, OPTIONS"),
    ("DELETE", "/data", "GET, POST, OPTIONS"),
    ("POST", "/dev/data/x", "GET, PUT, DELETE, OPTIONS"),
    ("PATCH", "/dev/data/x", "GET, PUT, DELETE, OPTIONS"),
])
def test_unsupported_method_on_a_route_is_a_405_with_allow(client, method, path, allow):
    reply = client.open(path, method=method, json={"data": 1})
    assert reply.status_code == 405 and reply.headers["Allow"] == allow
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(reply.get_data())["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_head_is_a_405_too(client):
    reply = client.head("/dev/data/x")
    assert reply.status_code == 405 and "GET" in reply.headers["Allow"]


@pytest.mark.parametrize("path", ["/", "/dev", "/dev/", "/dev/nothing", "/dev/data/x/y",
                                  "/dev/data//x", "/dev//data", "/DATA"])
def test_every_other_path_is_a_404_for_any_method(client, path):
    for method in ("GET", "POST", "PATCH"):
        reply = client.open(path, method=method)
        assert reply.status_code == 404, (method, path)
        assert json.loads(reply.get_data())["error"]["code"] == "NOT_FOUND"
        assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_trailing_slash_is_the_route_without_it(client):
    event = json.loads(client.get("/dev/data/").get_data())
    assert event["resource"] == "/data"


def test_path_bytes_are_never_decoded_lossily(client):
    event = json.loads(client.get("/dev/data/%FF%2e%2E").get_data())
    assert event["pathParameters"] == {"id": "%FF%2e%2E"}
    assert event["path"] == "/data/%FF%2e%2E"
