"""The local API runs the template's Cognito authorizer as API Gateway does: signature
against the pool's JWKS, issuer, expiry, token use and the method's scopes; claims
passed on as strings; 401 with CORS and the JSON shape otherwise; OPTIONS never."""

from __future__ import annotations

import json
import os

import pytest
from werkzeug.test import Client

from data_api_stack import build_template, ids, parse_config
from localdev.apiserver import LocalApi
from localdev.authorizer import CognitoAuthorizer, build_authorizers, rest_api_claims
from tests import auth_context as ctx
from tests.test_local_api import echo_loader  # noqa: F401  (fixture)
from tests.helpers import PROJECT


@pytest.fixture()
def pool():
    found = ctx.TestPool()
    with found.serve_jwks() as url:
        found.jwks_url = url  # type: ignore[attr-defined]
        yield found


@pytest.fixture()
def client(echo_loader, pool, monkeypatch):  # noqa: F811
    monkeypatch.setattr(os, "environ", dict(os.environ))
    template = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"})).to_json())
    authorizers = {ids.AUTHORIZER: CognitoAuthorizer(ctx.ISSUER, pool.jwks_url)}
    return Client(LocalApi(template, {"COLLECTIONS": '{"/data": "t"}'}, echo_loader, log=lambda _: None,
                           authorizers=authorizers))


def _get(client, token=None, path="/dev/data", method="GET", scheme="Bearer "):
    headers = {"Authorization": f"{scheme}{token}"} if token is not None else {}
    return client.open(path, method=method, headers=headers)


def _assert_401(reply, message="Unauthorized"):
    assert reply.status_code == 401
    assert json.loads(reply.get_data()) == {"error": {"code": "UNAUTHORIZED",
                                                      "message": message}}
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert reply.headers["WWW-Authenticate"] == "Bearer"


def test_a_valid_access_token_passes_with_its_claims_as_api_gateway_shapes_them(client, pool):
    payload = ctx.user_payload("rita", [ctx.GROUPS["reader"], "other"])
    for scheme in ("Bearer ", ""):  # API Gateway takes the raw token or "Bearer <token>"
        reply = _get(client, pool.token(payload), scheme=scheme)
        assert reply.status_code == 200
        claims = json.loads(reply.get_data())["requestContext"]["authorizer"]["claims"]
        assert claims == rest_api_claims({**payload, "iss": ctx.ISSUER})
        assert claims["cognito:groups"] == f"{ctx.GROUPS['reader']},other"
        assert claims["exp"].endswith(" UTC " + claims["exp"][-4:]) and claims["exp"][-4:].isdigit()
        assert claims["auth_time"] == str(payload["auth_time"])
        assert all(isinstance(v, str) for v in claims.values())


def test_machine_token_with_our_scope_passes(client, pool):
    reply = _get(client, pool.token(ctx.machine_payload([ctx.SCOPES["read"]])))
    assert reply.status_code == 200


@pytest.mark.parametrize("case", ["missing", "empty", "garbage", "tampered", "expired",
                                  "foreign-pool", "unknown-key", "id-token", "other-scope",
                                  "none-alg"])
def test_bad_tokens_are_401_with_cors_and_the_json_shape(client, pool, case):
    payload = ctx.user_payload("rita", [ctx.GROUPS["writer"]])
    good = pool.token(payload)
    header, body, signature = good.split(".")
    token = {
        "missing": None, "empty": "", "garbage": "not-a-jwt",
        "tampered": ".".join([header, body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB"),
                              signature]),
        "expired": pool.token(ctx.user_payload("rita", [], lifetime=-60)),
        "foreign-pool": ctx.TestPool(issuer=ctx.ISSUER + "x").token(payload, kid=pool.kid),
        "unknown-key": ctx.TestPool().token(payload),
        "id-token": pool.token({**payload, "token_use": "id"}),
        "other-scope": pool.token({**payload, "scope": "openid other-api/read"}),
        "none-alg": header.replace(header, "eyJhbGciOiJub25lIn0") + "." + body + ".",
    }[case]
    reply = _get(client, token)
    _assert_401(reply, "The incoming token has expired" if case == "expired" else "Unauthorized")


def test_preflight_needs_no_token(client):
    reply = client.options("/dev/data", headers={"Origin": "https://a.example.com"})
    assert reply.status_code == 204


def test_a_method_whose_authorizer_is_unknown_locally_is_refused_not_opened(echo_loader,
                                                                             monkeypatch):  # noqa: F811
    monkeypatch.setattr(os, "environ", dict(os.environ))
    template = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"})).to_json())
    reply = Client(LocalApi(template, {}, echo_loader, log=lambda _: None)).get("/dev/data")
    assert reply.status_code == 500
    assert json.loads(reply.get_data())["error"]["code"] == "AUTHORIZER_FAILURE"


def test_authorizers_are_read_from_the_template():
    template = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"})).to_json())
    found = build_authorizers(template, {ids.USER_POOL: "us-west-2_Abc"}, "http://aws:5000")
    assert found[ids.AUTHORIZER].issuer == "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Abc"
    assert found[ids.AUTHORIZER].jwks_url == "http://aws:5000/us-west-2_Abc/.well-known/jwks.json"
    shared = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip",
         "cognito_user_pool_arn": "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/"
                                  "eu-west-1_Xyz"})).to_json())
    assert build_authorizers(shared, {}, "http://aws")[ids.AUTHORIZER].issuer == (
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Xyz")
