"""The local API's AWS_IAM methods (auth: iam): SigV4 as botocore signs it, and the
caller's IAM policies (the rendered template's reader/writer policies, attached to
users of an in-process moto IAM) against the method ARN, as API Gateway checks them."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto import mock_aws
from werkzeug.test import Client

from data_api_stack import ids
from localdev.apiserver import LocalApi
from localdev.sigv4 import IamAuthorizer, allows, iam_principals
from tests.helpers import REGION
from tests.test_auth_template import render
from tests.test_local_api import echo_loader  # noqa: F401  (fixture)

API_ID = "a1b2c3d4e5"
ACCOUNT = "123456789012"  # moto's account
HOST = "localhost"
CREATE, REPLACE = b'{"id": "a", "data": {}}', b'{"data": {}}'  # valid per the models


def _resolved(value: Any) -> Any:
    """The template's policy document as CloudFormation resolves it in moto's account."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        text, names = value["Fn::Sub"]
        assert names == {"Api": {"Ref": ids.REST_API}}
        for name, found in (("AWS::Partition", "aws"), ("AWS::Region", REGION),
                            ("AWS::AccountId", ACCOUNT), ("Api", API_ID)):
            text = text.replace("${" + name + "}", found)
        return text
    if isinstance(value, dict):
        return {k: _resolved(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v) for v in value]
    return value


@pytest.fixture()
def iam_setup(echo_loader, monkeypatch):  # noqa: F811
    monkeypatch.setattr(os, "environ", dict(os.environ, AWS_ACCESS_KEY_ID="testing",
                                            AWS_SECRET_ACCESS_KEY="testing"))
    template = render(auth="iam")
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        keys, secrets = {}, {}
        for role, policy_id in (("reader", ids.READER_POLICY), ("writer", ids.WRITER_POLICY)):
            document = _resolved(template["Resources"][policy_id]["Properties"]
                                 ["PolicyDocument"])
            arn = iam.create_policy(PolicyName=policy_id, PolicyDocument=json.dumps(
                document))["Policy"]["Arn"]
            iam.create_user(UserName=f"local-{role}")
            iam.attach_user_policy(UserName=f"local-{role}", PolicyArn=arn)
            key = iam.create_access_key(UserName=f"local-{role}")["AccessKey"]
            keys[role] = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
            secrets[key["AccessKeyId"]] = key["SecretAccessKey"]
        authorizer = IamAuthorizer(iam_principals(iam, secrets), API_ID, "dev", REGION)
        client = Client(LocalApi(template, {"COLLECTIONS": '{"/data": "t"}'}, echo_loader,
                                 log=lambda _: None, iam=authorizer))
        yield client, keys, iam


def _signed(credentials: Credentials, method: str, path: str, body: bytes = b"",
            when: datetime | None = None) -> dict[str, str]:
    request = AWSRequest(method=method, url=f"http://{HOST}{path}", data=body,
                         headers={"Content-Type": "application/json"})
    signer = SigV4Auth(credentials, "execute-api", REGION)
    if when is None:
        signer.add_auth(request)
    else:  # botocore dates a signature "now"; sign as at `when`
        request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        request.headers["X-Amz-Date"] = request.context["timestamp"]
        signer._modify_request_before_signing(request)
        signature = signer.signature(signer.string_to_sign(
            request, signer.canonical_request(request)), request)
        signer._inject_signature_to_request(request, signature)
    return dict(request.headers.items())


def _call(client, credentials, method="GET", path="/dev/data", body=b"", headers=None,
          sent_body=None):
    signed = _signed(credentials, method, path, body) if credentials else {}
    return client.open(path, method=method, headers={**signed, **(headers or {})},
                       data=body if sent_body is None else sent_body,
                       base_url=f"http://{HOST}")


def _assert_error(reply, status, code):
    assert reply.status_code == status, reply.get_data()
    assert json.loads(reply.get_data())["error"]["code"] == code
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_a_valid_signature_passes_with_the_iam_identity_api_gateway_gives(iam_setup):
    client, keys, iam = iam_setup
    reply = _call(client, keys["reader"], path="/dev/data/item-1?limit=2")
    assert reply.status_code == 200, reply.get_data()
    identity = json.loads(reply.get_data())["requestContext"]["identity"]
    user = iam.get_user(UserName="local-reader")["User"]
    assert identity["userArn"] == user["Arn"]
    assert identity["accessKey"] == keys["reader"].access_key
    assert identity["accountId"] == ACCOUNT
    assert identity["caller"] == identity["user"] == user["UserId"]
    assert identity["cognitoIdentityId"] is None and "sourceIp" in identity


def test_without_the_stage_prefix_too(iam_setup):
    client, keys, _ = iam_setup
    assert _call(client, keys["writer"], "POST", "/data", CREATE).status_code == 200


@pytest.mark.parametrize("tamper", ["body", "header", "signature", "key"])
def test_a_tampered_request_is_401_invalid_signature(iam_setup, tamper):
    client, keys, _ = iam_setup
    body = b'{"id": "a", "data": {}}'
    signed = _signed(keys["writer"], "POST", "/dev/data", body)
    sent = body
    if tamper == "body":
        sent = body.replace(b"a", b"b")
    elif tamper == "header":
        signed["Content-Type"] = "text/plain"  # a signed header changed
    elif tamper == "signature":
        auth = signed["Authorization"]
        signed["Authorization"] = auth[:-1] + ("0" if auth[-1] != "0" else "1")
    else:
        signed["Authorization"] = signed["Authorization"].replace(
            keys["writer"].access_key, "AKIAUNKNOWNKEY000000")
    reply = client.open("/dev/data", method="POST", headers=signed, data=sent,
                        base_url=f"http://{HOST}")
    _assert_error(reply, 401, "INVALID_SIGNATURE")


def test_a_stale_signature_is_401(iam_setup):
    client, keys, _ = iam_setup
    old = datetime.now(timezone.utc) - timedelta(minutes=20)
    reply = client.get("/dev/data", headers=_signed(keys["reader"], "GET", "/dev/data",
                                                    when=old), base_url=f"http://{HOST}")
    _assert_error(reply, 401, "INVALID_SIGNATURE")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "AWS4-HMAC-SHA256 Credential=x"}])
def test_unsigned_or_incomplete_is_401(iam_setup, headers):
    client, _, _ = iam_setup
    reply = _call(client, None, headers=headers)
    if headers:
        _assert_error(reply, 401, "INVALID_SIGNATURE")
        return
    # Unsigned: the template's MISSING_AUTHENTICATION_TOKEN gateway response, body and all.
    (expected,) = [r["Properties"] for r in render(auth="iam")["Resources"].values()
                   if r["Type"] == "AWS::ApiGateway::GatewayResponse"
                   and r["Properties"]["ResponseType"] == "MISSING_AUTHENTICATION_TOKEN"]
    assert reply.status_code == int(expected["StatusCode"]) == 401
    assert json.loads(reply.get_data()) == json.loads(
        expected["ResponseTemplates"]["application/json"])
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_a_readers_write_is_403_and_a_writer_may_write(iam_setup):
    client, keys, _ = iam_setup
    _assert_error(_call(client, keys["reader"], "POST", "/dev/data", b"{}"), 403,
                  "ACCESS_DENIED")
    _assert_error(_call(client, keys["reader"], "DELETE", "/dev/data/x"), 403,
                  "ACCESS_DENIED")
    for method, path, body in (("POST", "/dev/data", CREATE), ("PUT", "/dev/data/x", REPLACE),
                               ("DELETE", "/dev/data/x", b""), ("GET", "/dev/data/x", b"")):
        assert _call(client, keys["writer"], method, path, body).status_code == 200


def test_an_explicit_deny_wins_over_the_writer_policy(iam_setup):
    client, keys, iam = iam_setup
    iam.put_user_policy(UserName="local-writer", PolicyName="no-delete", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "execute-api:*",
                                                  "Resource": "arn:aws:execute-api:*:*:*/*/DELETE/*"}]}))
    _assert_error(_call(client, keys["writer"], "DELETE", "/dev/data/x"), 403, "ACCESS_DENIED")
    assert _call(client, keys["writer"], "PUT", "/dev/data/x", REPLACE).status_code == 200


def test_preflight_needs_no_signature(iam_setup):
    client, _, _ = iam_setup
    assert client.options("/dev/data", headers={"Origin": "https://a.example"}).status_code == 204


def test_policy_evaluation_subset():
    arn = f"arn:aws:execute-api:{REGION}:1:api/dev/GET/data/x"
    allow = {"Statement": [{"Effect": "Allow", "Action": "EXECUTE-API:invoke",
                            "Resource": f"arn:aws:execute-api:{REGION}:1:api/dev/GET/data/?"}]}
    assert allows([allow], "execute-api:Invoke", arn)
    assert not allows([allow], "execute-api:Invoke", arn + "y")
    conditional = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                  "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}
    assert not allows([conditional], "execute-api:Invoke", arn)  # not understood: no allow
    assert not allows([allow, {"Statement": {**conditional["Statement"][0], "Effect": "Deny"}}],
                      "execute-api:Invoke", arn)  # a Deny not understood denies
    assert not allows([], "execute-api:Invoke", arn)
