"""The handler's half of access control: readers vs writers, this stack's clients only,
the caller's identity on every request line and never the token."""

from __future__ import annotations

import json

import pytest

from data_api import authz
from tests import auth_context as ctx
from tests.api_client import make_event

WRITES = [("POST", "/data", {"id": "n", "data": 1}), ("PUT", "/data/k", {"data": 2}),
          ("DELETE", "/data/k", None)]


@pytest.fixture()
def item(api):
    assert api.call("POST", "/data", {"id": "k", "data": 1}).status == 201


def _send(api, method, path, body=None, caller=None):
    data = json.dumps(body) if body is not None else None
    return api.send(make_event(method, path, data, caller=caller))


@pytest.mark.parametrize("caller", [ctx.reader_user, lambda: ctx.machine("read")],
                         ids=["user", "machine"])
def test_a_reader_reads_but_every_write_is_403(api, item, caller):
    assert _send(api, "GET", "/data/k", caller=caller()).status == 200
    assert _send(api, "GET", "/data", caller=caller()).status == 200
    for method, path, body in WRITES:
        reply = _send(api, method, path, body, caller())
        assert reply.status == 403 and reply.body["error"]["code"] == "ACCESS_DENIED", method
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert api.call("GET", "/data/k").body["data"] == 1, "nothing was written"


@pytest.mark.parametrize("caller", [ctx.writer_user, lambda: ctx.machine("read", "write"),
                                    lambda: ctx.machine("write")],
                         ids=["user", "machine", "machine-write-only"])
def test_a_writer_does_everything(api, caller):
    assert _send(api, "POST", "/data", {"id": "w", "data": 1}, caller()).status == 201
    assert _send(api, "PUT", "/data/w", {"data": 2}, caller()).status == 200
    assert _send(api, "GET", "/data/w", caller=caller()).status == 200
    assert _send(api, "DELETE", "/data/w", caller=caller()).status == 204


@pytest.mark.parametrize("context", [
    ctx.cognito_context(ctx.user_payload("nobody", [])),
    ctx.cognito_context(ctx.user_payload("other-env", ["serverless-data-prod-writers"])),
    ctx.cognito_context(ctx.user_payload("stranger", [ctx.GROUPS[authz.WRITER]],
                                         client_id=ctx.FOREIGN_CLIENT)),
    ctx.cognito_context(ctx.machine_payload([ctx.SCOPES["write"]],
                                            client_id=ctx.FOREIGN_CLIENT)),
    ctx.cognito_context(ctx.machine_payload(["other-api/write"])),
    ctx.cognito_context({**ctx.user_payload("id-token", [ctx.GROUPS[authz.WRITER]]),
                         "token_use": "id"}),
    {},  # no authorizer context at all: misconfiguration, never anonymous access
    {"authorizer": "garbage"},
], ids=["no-group", "other-env-group", "foreign-client-user", "foreign-client-machine",
        "other-scopes", "id-token", "no-context", "garbage"])
def test_callers_without_a_role_here_get_403_on_everything(api, item, context):
    for method, path, body in [("GET", "/data/k", None), ("GET", "/data", None), *WRITES]:
        reply = _send(api, method, path, body, context)
        assert reply.status == 403 and reply.body["error"]["code"] == "ACCESS_DENIED", method


def test_routing_answers_come_before_access_control(api):
    # The gateway answers OPTIONS (MOCK) and unknown routes itself; a direct call to the
    # function with them gets the gateway's answer, not a 403.
    assert _send(api, "OPTIONS", "/data", caller={}).status == 405
    assert _send(api, "PATCH", "/data/k", caller={}).status == 405


def test_groups_arrive_as_one_string_and_are_split_exactly(api, item):
    # "serverless-data-dev-writers-old" must not count as the writers group.
    claims = ctx.user_payload("tricky", [ctx.GROUPS[authz.READER],
                                         ctx.GROUPS[authz.WRITER] + "-old"])
    context = ctx.cognito_context(claims)
    assert context["authorizer"]["claims"]["cognito:groups"] == (
        "serverless-data-dev-readers,serverless-data-dev-writers-old")
    assert _send(api, "GET", "/data/k", caller=context).status == 200
    assert _send(api, "DELETE", "/data/k", caller=context).status == 403


@pytest.mark.parametrize("value,expected", [
    ("a,b", ["a", "b"]), ("[a b]", ["a", "b"]), (["a", "b"], ["a", "b"]), ("a", ["a"]),
    ("", []), (None, []), (7, [])])
def test_claim_list_reads_every_shape_api_gateway_uses(value, expected):
    assert authz.claim_list(value) == expected


def test_iam_callers_pass_with_the_gateway_verdict(api, monkeypatch):
    monkeypatch.setenv(authz.ENV_MODE, authz.IAM)
    caller = ctx.iam_caller()
    assert _send(api, "POST", "/data", {"id": "i", "data": 1}, caller).status == 201
    assert _send(api, "GET", "/data/i", caller=caller).status == 200
    assert _send(api, "GET", "/data/i", caller={}).status == 403


def test_auth_none_lets_anyone_in(api, monkeypatch):
    monkeypatch.setenv(authz.ENV_MODE, authz.NONE)
    assert _send(api, "POST", "/data", {"id": "a", "data": 1}, {}).status == 201


def test_unconfigured_function_fails_closed(api, monkeypatch):
    monkeypatch.delenv(authz.ENV_MODE)
    assert _send(api, "GET", "/data", caller=ctx.writer_user()).status == 403


def test_request_line_names_the_caller_and_never_the_token(api, item, capsys, monkeypatch):
    token = "eyJraWQiOiJzZWNyZXQifQ.payload.signature"
    event = make_event("GET", "/data/k", caller=ctx.reader_user(),
                       headers={"Authorization": f"Bearer {token}"})
    assert api.send(event).status == 200
    _send(api, "DELETE", "/data/k", caller=ctx.machine("read"))
    monkeypatch.setenv(authz.ENV_MODE, authz.IAM)
    _send(api, "GET", "/data/k", caller=ctx.iam_caller("ci-bot"))
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
             if '"request"' in line]
    reader, machine, iam = (line["caller"] for line in lines[-3:])
    claims = ctx.reader_user()["authorizer"]["claims"]
    assert reader == {"sub": claims["sub"], "username": "rita-reader",
                      "clientId": ctx.BROWSER_CLIENT}
    assert machine == {"sub": ctx.MACHINE_CLIENT, "clientId": ctx.MACHINE_CLIENT}
    assert lines[-2]["status"] == 403
    assert iam["userArn"] == "arn:aws:iam::111122223333:user/ci-bot"
    assert token not in json.dumps(lines) and "signature" not in json.dumps(lines)
