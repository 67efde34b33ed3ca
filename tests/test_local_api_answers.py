"""Whatever the local API's own code meets, it answers as API Gateway does: JSON in the
gateway responses' shape, with the CORS headers, a 4xx for a client's mistake and a 5xx
only for its own fault. Header floods, ambiguous framing and the stage's throttle too."""

from __future__ import annotations

import json
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
from werkzeug.test import Client

from data_api_stack import build_template, ids, parse_config
from localdev.apiserver import LocalApi, serve
from localdev.authorizer import CognitoAuthorizer
from localdev.localaws import free_port
from localdev.throttle import Limit, Throttle
from tests import auth_context as ctx
from tests.test_local_api import echo_loader  # noqa: F401  (fixture)
from tests.test_local_authorizer import pool  # noqa: F401  (fixture)
from tests.helpers import PROJECT

CODE_KEY = "lambda/api-" + "0" * 64 + ".zip"


def _template(**settings: object) -> dict:
    return json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": CODE_KEY, **settings})).to_json())


@pytest.fixture()
def open_api(echo_loader, monkeypatch):  # noqa: F811
    """The dev API without access control, the echo function behind it."""
    monkeypatch.setattr(os, "environ", dict(os.environ))  # LocalApi sets function env vars
    return LocalApi(_template(auth="none", allow_anonymous=True), {"COLLECTIONS": '{"/data": "t"}'},
                    echo_loader, log=lambda _: None)


@pytest.fixture()
def server(open_api) -> Iterator[tuple[str, int]]:
    """The API on a real socket: what the HTTP layer refuses never reaches the WSGI app."""
    http = serve(open_api, "127.0.0.1", free_port())
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", http.server_port
    http.shutdown()
    http.server_close()
    thread.join(timeout=10)


def _raw(address: tuple[str, int], request: bytes,
         half_close: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes (then end the sending side if `half_close`); (status, headers
    lower-cased, body) of the answer."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _assert_gateway_json(status: int, headers: dict, body: bytes, code: str) -> None:
    assert headers["content-type"] == "application/json"
    assert headers["access-control-allow-origin"] == "*"
    assert json.loads(body)["error"]["code"] == code, body


def test_a_number_no_decimal_can_hold_is_a_json_400_not_an_html_500(open_api):
    reply = Client(open_api).post("/dev/data", data='{"data": {"n": 1e99999999999999999999}}',
                                  headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    _assert_gateway_json(400, {k.lower(): v for k, v in reply.headers.items()},
                         reply.get_data(), "BAD_REQUEST_BODY")


def test_an_error_in_the_local_apis_own_code_is_a_json_500_with_cors(open_api, monkeypatch):
    def broken(segments):
        raise RuntimeError("a bug in the local API")

    monkeypatch.setattr(open_api.gateway, "match", broken)
    reply = Client(open_api).get("/dev/data")
    assert reply.status_code == 500
    _assert_gateway_json(500, {k.lower(): v for k, v in reply.headers.items()},
                         reply.get_data(), "DEFAULT_5XX")


def test_a_token_whose_exp_no_date_can_hold_is_judged_not_crashed_on(
        echo_loader, pool, monkeypatch):  # noqa: F811
    monkeypatch.setattr(os, "environ", dict(os.environ))
    app = LocalApi(_template(), {"COLLECTIONS": '{"/data": "t"}'}, echo_loader, log=lambda _: None,
                   authorizers={ids.AUTHORIZER: CognitoAuthorizer(ctx.ISSUER, pool.jwks_url)})
    payload = ctx.machine_payload([ctx.SCOPES["read"]])
    far = Client(app).get("/dev/data", headers={
        "Authorization": pool.token({**payload, "exp": 10**20})})
    assert far.status_code == 200  # unexpired: API Gateway lets it through
    assert json.loads(far.get_data())["requestContext"]["authorizer"]["claims"]["exp"] == \
        str(10**20)
    endless = Client(app).get("/dev/data", headers={
        "Authorization": pool.token({**payload, "exp": float("inf")})})
    assert endless.status_code == 401
    assert json.loads(endless.get_data())["error"]["code"] == "UNAUTHORIZED"


def test_a_message_holding_a_context_variable_is_substituted_once(open_api):
    message = "denied: $context.error.message and \"$context.error.messageString\""
    answer = open_api.gateway.error("ACCESS_DENIED", message)
    assert json.loads(answer.body)["error"]["message"] == message


@pytest.mark.parametrize("count, size", [(150, 100), (20, 1000)])
def test_a_header_flood_is_a_json_431_with_cors(server, count, size):
    """150 headers: over the HTTP server's own limit of 100 lines; 20 of 1 KB: over
    API Gateway's 10,240 bytes of request line and header values."""
    flood = "".join(f"X-Flood-{n}: {'a' * size}\r\n" for n in range(count))
    status, headers, body = _raw(server, (f"GET /dev/data HTTP/1.1\r\nHost: local\r\n{flood}"
                                          "\r\n").encode())
    assert status == 431
    _assert_gateway_json(status, headers, body, "REQUEST_TOO_LARGE")


@pytest.mark.parametrize("framing, body", [
    ("Content-Length: 2\r\nContent-Length: 40\r\n", "{}"),
    ("Content-Length: 2, 40\r\n", "{}"),
    ("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", "{}"),
    ("Content-Length: +2\r\n", "{}"),
    ("Content-Length: 0x2\r\n", "{}"),
    ("Transfer-Encoding: gzip\r\n", "{}"),
    ("Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n"),
    ("Transfer-Encoding: chunked\r\n", "b\r\n{}\r\n0\r\n\r\n"),
    ("Content-Length: 12\r\n", "{}"),
], ids=["two-lengths", "length-list", "length-and-chunked", "signed-length", "hex-length",
        "gzip-only", "bad-chunk-size", "short-chunk", "short-body"])
def test_a_request_whose_body_end_is_ambiguous_or_broken_is_a_json_400(server, framing, body):
    status, headers, answer = _raw(server, ("POST /dev/data HTTP/1.1\r\nHost: local\r\n"
                                            "Content-Type: application/json\r\n"
                                            f"{framing}\r\n{body}").encode(), half_close=True)
    assert status == 400, answer
    _assert_gateway_json(status, headers, answer, "DEFAULT_4XX")
    assert headers["connection"] == "close"


def test_a_chunked_body_over_the_gateways_limit_is_a_json_413_unread(server):
    status, headers, answer = _raw(server, b"POST /dev/data HTTP/1.1\r\nHost: local\r\n"
                                   b"Content-Type: application/json\r\n"
                                   b"Transfer-Encoding: chunked\r\n\r\nffffffff\r\n{}",
                                   half_close=True)
    assert status == 413, answer
    _assert_gateway_json(status, headers, answer, "REQUEST_TOO_LARGE")


def test_a_well_formed_chunked_body_reaches_the_function_whole(server):
    status, _, answer = _raw(server, b"POST /dev/data HTTP/1.1\r\nHost: local\r\n"
                             b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                             b"\r\n5;ext=1\r\n{\"dat\r\n6\r\na\": 1}\r\n0\r\n\r\n")
    assert status == 200, answer
    assert json.loads(json.loads(answer)["body"]) == {"data": 1}


@pytest.mark.parametrize("request_line", [
    "GARBAGE", "GET /dev/data HTTP/1.1 extra", "GET /dev/data HTTX/1.1",
    "GET /dev/data HTTP/2.0", "GET /dev/data"])
def test_a_request_line_the_gateway_would_not_take_is_a_json_400(server, request_line):
    status, headers, answer = _raw(server, f"{request_line}\r\nHost: local\r\n\r\n".encode())
    assert status == 400, answer
    _assert_gateway_json(status, headers, answer, "DEFAULT_4XX")


@pytest.mark.parametrize("hosts", ["", "Host: a\r\nHost: b\r\n"])
def test_an_http_1_1_request_without_exactly_one_host_is_a_json_400(server, hosts):
    status, headers, answer = _raw(server, f"GET /dev/data HTTP/1.1\r\n{hosts}\r\n".encode())
    assert status == 400, answer
    _assert_gateway_json(status, headers, answer, "DEFAULT_4XX")


def test_a_line_the_http_server_cannot_parse_is_a_json_4xx(server):
    status, headers, body = _raw(server, b"GET /dev/data HTTP/1.1\r\nHost: local\r\n"
                                 b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n")
    assert status == 431
    _assert_gateway_json(status, headers, body, "REQUEST_TOO_LARGE")


def test_three_times_the_stages_burst_at_once_meets_429_throttled(open_api, server):
    limit = Throttle.from_template(_template()).limit_for("/data", "GET")
    assert limit is not None and limit.burst > 0
    open_api.throttle.clock = lambda: 0.0  # no refill while the burst arrives
    request = b"GET /dev/data HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n"
    with ThreadPoolExecutor(max_workers=16) as workers:
        replies = list(workers.map(lambda _: _raw(server, request), range(3 * limit.burst)))
    statuses = sorted(status for status, _, _ in replies)
    assert statuses == [200] * limit.burst + [429] * (2 * limit.burst)
    throttled = next(reply for reply in replies if reply[0] == 429)
    _assert_gateway_json(*throttled, "THROTTLED")


def test_invented_verbs_share_the_bucket_of_the_method_that_answers_them(open_api):
    """ANY answers every verb not declared: it is one method, so one bucket."""
    open_api.throttle.clock = lambda: 0.0
    web = Client(open_api)
    limit = open_api.throttle.limit_for("/data", "ANY")
    assert limit is not None
    statuses = [web.open("/dev/data", method=f"X{n}").status_code
                for n in range(limit.burst + 5)]
    assert statuses[:limit.burst] == [405] * limit.burst and set(statuses[limit.burst:]) == {429}


def test_the_bucket_refills_at_the_stage_rate_per_method():
    now = [0.0]
    throttle = Throttle({("/*", "*"): Limit(rate=10, burst=2)}, clock=lambda: now[0])
    assert [throttle.allow("/data", "GET") for _ in range(3)] == [True, True, False]
    assert throttle.allow("/data", "POST")  # another method: its own bucket
    now[0] = 0.1  # a tenth of a second at 10/s: one request more
    assert [throttle.allow("/data", "GET") for _ in range(2)] == [True, False]


def test_a_methods_own_setting_wins_over_the_stages_default():
    """MethodSettings as API Gateway reads them: `~1` is `/` in a resource path."""
    throttle = Throttle.from_template({"Resources": {"Stage": {
        "Type": "AWS::ApiGateway::Stage", "Properties": {"MethodSettings": [
            {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 10,
             "ThrottlingBurstLimit": 20},
            {"ResourcePath": "/~1data~1{id}", "HttpMethod": "GET", "ThrottlingRateLimit": 1,
             "ThrottlingBurstLimit": 1},
            {"ResourcePath": "/*", "HttpMethod": "POST", "ThrottlingRateLimit": 5,
             "ThrottlingBurstLimit": 5}]}}}})
    assert throttle.limit_for("/data/{id}", "GET") == Limit(1, 1)
    assert throttle.limit_for("/data/{id}", "PUT") == Limit(10, 20)
    assert throttle.limit_for("/data", "POST") == Limit(5, 5)
    assert [throttle.allow("/data/{id}", "GET") for _ in range(2)][1] is False
