"""The local API enforces API Gateway's and Lambda's payload limits as AWS answers them."""

from __future__ import annotations

import json
import os
import sys

import pytest
from werkzeug.test import Client

from data_api_stack import build_template, parse_config
from localdev.apiserver import HandlerLoader, LocalApi
from tests.helpers import PROJECT

MB = 1024 * 1024
SIZED = '''
def handler(event, context):
    size = int((event.get("queryStringParameters") or {}).get("size", "0"))
    return {"statusCode": 200, "headers": {}, "body": "x" * size}
'''


@pytest.fixture()
def client(tmp_path, monkeypatch):
    package = tmp_path / "sized_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(SIZED)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(os, "environ", dict(os.environ))
    # Size limits only: the authorizer's checks are in test_local_authorizer.
    template = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip",
         "auth": "none", "allow_anonymous": True})).to_json())
    yield Client(LocalApi(template, {}, HandlerLoader("sized_pkg.app.handler", source=package),
                          log=lambda line: None))
    for name in [n for n in sys.modules if n.startswith("sized_pkg")]:
        del sys.modules[name]


def test_body_over_10_mb_is_the_413_gateway_response(client):
    reply = client.post("/dev/data", data=b"x" * (10 * MB + 1))
    assert reply.status_code == 413
    assert json.loads(reply.get_data())["error"]["code"] == "REQUEST_TOO_LARGE"
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


# Not JSON, so sent as a type no request model covers: API Gateway validates a body
# against the method's model (a 400) before it invokes the function.
RAW = "application/octet-stream"


def test_event_over_lambdas_6_mb_is_a_413(client):
    reply = client.post("/dev/data", data=b"x" * (6 * MB + 200), content_type=RAW)
    assert reply.status_code == 413
    assert json.loads(reply.get_data())["error"]["code"] == "REQUEST_TOO_LARGE"


def test_body_under_both_limits_reaches_the_function(client):
    assert client.post("/dev/data", data=b"x" * (5 * MB), content_type=RAW).status_code == 200


def test_response_over_lambdas_6_mb_is_a_502(client):
    assert client.get("/dev/data", query_string={"size": str(5 * MB)}).status_code == 200
    reply = client.get("/dev/data", query_string={"size": str(6 * MB + 200)})
    assert reply.status_code == 502
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    error = json.loads(reply.get_data())["error"]
    assert error == {"code": "INTEGRATION_FAILURE", "message": "Internal server error"}
