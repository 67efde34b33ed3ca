"""Pagination past 1 MB pages, concurrent writers, AWS faults, and fuzzed events."""

from __future__ import annotations

import json
import os

import pytest
from botocore.stub import Stubber
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_api import storage
from data_api.handler import handle
from data_api.storage import Storage
from tests.api_client import JSON, ApiClient, make_event, path_event


def _walk_pages(api: ApiClient, limit: int) -> tuple[list[str], int]:
    ids: list[str] = []
    pages, token = 0, None
    while True:
        query = {"limit": [str(limit)], **({"next": [token]} if token else {})}
        reply = api.call("GET", "/data", query=query)
        assert reply.status == 200
        assert reply.body["count"] == len(reply.body["items"])
        ids += [item["id"] for item in reply.body["items"]]
        pages += 1
        token = reply.body.get("next")
        if not token:
            return ids, pages


def test_pages_cover_a_table_over_2mb_exactly_once(api, dynamodb):
    blob = "x" * 30_000  # ~30 KB items: one 1 MB DynamoDB page holds ~33
    expected = {f"item-{n:04d}" for n in range(80)}
    for item_id in expected:
        dynamodb.put_item(TableName="items", Item={
            "id": {"S": item_id}, "data": {"S": blob}, "version": {"N": "1"},
            "created_at": {"S": "t"}, "updated_at": {"S": "t"}})
    scans: list[int] = []
    dynamodb.meta.events.register("before-call.dynamodb.Scan", lambda **_: scans.append(1))
    ids, pages = _walk_pages(api, limit=100)
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))
    assert pages == 1 and len(scans) >= 3, "one full page needed several 1 MB scans"
    small_ids, small_pages = _walk_pages(api, limit=7)
    assert sorted(small_ids) == sorted(expected) and small_pages >= 12


def test_default_page_size_is_25(api):
    for n in range(30):
        api.call("POST", "/data", {"id": f"i{n:02d}", "data": n})
    first = api.call("GET", "/data")
    assert first.body["count"] == 25 and "next" in first.body
    rest = api.call("GET", "/data", query={"next": [first.body["next"]]})
    assert rest.body["count"] == 5 and "next" not in rest.body


def test_dynamodb_calls_are_exactly_the_iam_actions(api, dynamodb):
    calls: set[str] = set()
    dynamodb.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.add(model.name))
    api.call("POST", "/data", {"id": "k", "data": 1})
    api.call("POST", "/data", {"id": "k", "data": 1})
    api.call("GET", "/data/k")
    api.call("GET", "/data")
    etag = api.call("GET", "/data/k").headers["ETag"]
    api.call("PUT", "/data/k", {"data": 2}, headers={**JSON, "If-Match": etag})
    api.call("PUT", "/data/k", {"data": 3}, headers={**JSON, "If-Match": etag})
    api.call("DELETE", "/data/k")
    assert calls == set(storage.DYNAMODB_ACTIONS)


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException",
                                  "ThrottlingException", "RequestLimitExceeded"])
def test_throttling_is_503_with_retry_after(dynamodb, code, monkeypatch):
    monkeypatch.setenv("CORS_ORIGIN", "*")
    with Stubber(dynamodb) as stub:
        stub.add_client_error("get_item", service_error_code=code, http_status_code=400)
        raw = handle(make_event("GET", "/data/k"), None, lambda _table: Storage(dynamodb, "items"))
    assert raw["statusCode"] == 503 and raw["headers"]["Retry-After"] == "1"
    assert json.loads(raw["body"])["error"]["code"] == "THROTTLED"


def test_other_aws_failures_are_500_json_with_request_id_and_a_log_line(dynamodb, capsys):
    with Stubber(dynamodb) as stub:
        stub.add_client_error("put_item", service_error_code="InternalServerError",
                              service_message="boom at the back", http_status_code=500)
        event = make_event("POST", "/data", '{"data": 1}')
        raw = handle(event, None, lambda _table: Storage(dynamodb, "items"))
    body = json.loads(raw["body"])
    assert raw["statusCode"] == 500 and raw["headers"]["Access-Control-Allow-Origin"]
    assert body["error"]["requestId"] == event["requestContext"]["requestId"]
    assert "Traceback" not in raw["body"] and "boom" not in raw["body"]
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert any(line["level"] == "ERROR" and line["requestId"] == body["error"]["requestId"]
               for line in logged)


def test_logs_are_json_with_request_id_and_never_the_body(api, capsys):
    secret = "card-4111-1111-1111-1111"
    api.call("POST", "/data", {"data": secret})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert lines and all(line["requestId"] for line in lines)
    assert secret not in json.dumps(lines)


# Numbers as raw JSON text: extreme exponents and long digit strings, which Decimal,
# boto3's serializer and DynamoDB each refuse in their own way.
NUMBER_TEXT = st.builds(
    lambda sign, digits, point, exponent: f"{sign}{digits[:1]}{point}{digits[1:]}{exponent}",
    st.sampled_from(["", "-"]), st.text("0123456789", min_size=1, max_size=60).filter(
        lambda d: d[0] != "0" or len(d) == 1),
    st.sampled_from(["", "."]),
    st.sampled_from(["", "e999999", "e-999999", "e99999999999999999999", "e-130", "e126"])
    | st.integers(-10**6, 10**6).map(lambda e: f"e{e}"))
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4), max_leaves=12)
LARGE_BODIES = st.sampled_from([
    '{"data": [' + ",".join(["1"] * 195_000) + "]}",  # ~390 KB JSON, ~585 KB in DynamoDB
    '{"data": "' + "x" * 390 * 1024 + '"}', '{"data": "' + "x" * 401 * 1024 + '"}'])
BODIES = st.none() | st.text(max_size=200) | JSONISH.map(json.dumps) | st.builds(
    lambda data, item_id: json.dumps({"data": data, **({"id": item_id} if item_id else {})}),
    JSONISH, st.none() | st.text(max_size=20)) | NUMBER_TEXT.map(
    lambda n: '{"data": ' + n + "}") | LARGE_BODIES
ODD_IDS = st.sampled_from(["", ".", "..", "a b", "a%20b", "a/b", "ü", "x" * 256, "x" * 257,
                           "ok-id", "%", "a\x00"]) | st.text(max_size=300)
# Page tokens made by hand: any caller can send any string as `next`.
FORGED_TOKENS = ODD_IDS
IF_MATCH = st.sampled_from(['"1"', "*", "junk", 'W/"1"', '"1-0000000000000000"', '"a", "b"',
                            "", 'W/', '"1", W/"2"']) | st.text(max_size=10)
EVENTS = st.fixed_dictionaries({
    "httpMethod": st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", ""]),
    "path": st.sampled_from(["/data", "/data/", "/data/x", "/other"]) | st.text(max_size=30),
    "resource": st.sampled_from(["/data", "/data/{id}", None, "/other"])
    | st.integers() | st.lists(st.text(max_size=3), max_size=2),
    "headers": st.none() | st.dictionaries(
        st.sampled_from(["Content-Type", "If-Match", "content-type", "X-Other"]),
        st.sampled_from(["application/json", "text/plain"]) | IF_MATCH, max_size=3),
    "body": BODIES,
    "isBase64Encoded": st.booleans(),
    "pathParameters": st.none() | st.fixed_dictionaries({"id": ODD_IDS}),
    "queryStringParameters": st.none() | st.dictionaries(
        st.sampled_from(["limit", "next", "x"]),
        st.text(max_size=20) | FORGED_TOKENS | st.text("0123456789", min_size=4000,
                                                       max_size=4400), max_size=2),
    "multiValueQueryStringParameters": st.none() | st.dictionaries(
        st.sampled_from(["limit", "next"]), st.lists(st.text(max_size=10), max_size=3),
        max_size=2),
    "requestContext": st.none() | st.just({"requestId": "fuzz", "path": "/dev/data"}),
})


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(event=EVENTS)
def test_fuzzed_events_never_escape_never_5xx_always_json_with_cors(api, event):
    raw = handle(event, None, lambda _table: api.storage)
    assert 200 <= raw["statusCode"] < 500, raw
    assert raw["headers"]["Access-Control-Allow-Origin"] == "*"
    if raw["statusCode"] != 204:
        json.loads(raw["body"])



# Well-formed requests whose one fuzzed part is what broke before: numbers with extreme
# exponents or long digit strings, large items, odd ids, forged tokens, long limits and
# odd If-Match values. Each reaches the code that handles it (not an earlier 4xx).
TARGETED = st.one_of(
    NUMBER_TEXT.map(lambda n: make_event("POST", "/data", '{"data": {"n": [' + n + "]}}")),
    LARGE_BODIES.map(lambda body: make_event("POST", "/data", body)),
    ODD_IDS.map(lambda i: make_event("POST", "/data", json.dumps({"id": i, "data": 1}))),
    st.builds(path_event, st.sampled_from(["GET", "PUT", "DELETE"]), ODD_IDS,
              st.just('{"data": 1}')),
    FORGED_TOKENS.map(lambda t: make_event("GET", "/data", query={"next": [t]})),
    st.text("0123456789", min_size=1, max_size=5000).map(
        lambda n: make_event("GET", "/data", query={"limit": [n]})),
    st.builds(lambda method, tag: path_event(method, "k", '{"data": 2}',
                                              {**JSON, "If-Match": tag}),
              st.sampled_from(["GET", "PUT", "DELETE"]), IF_MATCH),
)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(event=TARGETED)
def test_targeted_fuzz_reaches_each_hardened_case_and_never_5xx(api, event):
    if api.call("GET", "/data/k").status == 404:
        api.call("POST", "/data", {"id": "k", "data": 0})
    raw = handle(event, None, lambda _table: api.storage)
    assert 200 <= raw["statusCode"] < 500, raw["body"][:300]
    if raw["statusCode"] != 204:
        assert "error" in json.loads(raw["body"]) or raw["statusCode"] < 300
