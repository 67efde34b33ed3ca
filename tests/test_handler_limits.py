"""Limits AWS enforces, met before AWS refuses: item size as DynamoDB counts it,
Lambda's 6 MB response, the bytes read per list request, and the client's timeouts."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from data_api import handler as handler_module
from data_api.itemsize import item_size
from data_api_stack import ids
from tests.api_client import ApiClient, make_event

LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024  # bytes, synchronous invocation (Lambda quotas)
SCAN_CALL_LIMIT = 1024 * 1024  # DynamoDB reads at most 1 MB per Scan call


def _record_calls(dynamodb, name: str) -> list[dict]:
    calls: list[dict] = []
    dynamodb.meta.events.register(f"before-call.dynamodb.{name}",
                                  lambda params, **_: calls.append(params))
    return calls


def test_390kb_list_of_numbers_is_413_before_calling_dynamodb(api, dynamodb):
    puts = _record_calls(dynamodb, "PutItem")
    numbers = "[" + ",".join(["1"] * 195_000) + "]"  # ~390 KB of JSON, ~585 KB in DynamoDB
    reply = api.call("POST", "/data", '{"data": ' + numbers + "}")
    assert reply.status == 413 and reply.body["error"]["code"] == "REQUEST_TOO_LARGE"
    assert "as DynamoDB counts them" in reply.body["error"]["message"] and puts == []
    api.call("POST", "/data", {"id": "k", "data": 0})
    replaced = api.call("PUT", "/data/k", '{"data": ' + numbers + "}")
    assert replaced.status == 413 and api.call("GET", "/data/k").body["data"] == 0


def test_a_390kb_string_still_fits(api):
    assert api.call("POST", "/data", {"data": "x" * 390 * 1024}).status == 201


@pytest.mark.parametrize("item,size", [
    ({"id": "abc"}, 2 + 3),  # name + UTF-8 bytes
    ({"n": 12345}, 1 + 3 + 1),  # 5 significant digits -> 3 bytes, + 1
    ({"n": 1200}, 1 + 1 + 1),  # trailing zeros trimmed
    ({"é": "ü"}, 2 + 2),
    ({"b": True, "z": None}, 2 + 2),
    ({"l": [1, "a"]}, 1 + 3 + (1 + 2) + (1 + 1)),  # 3 overhead + 1 per element
    ({"m": {"k": "v"}}, 1 + 3 + (1 + 1 + 1)),  # element = its name + its value + 1
    ({"l": []}, 1 + 3),
])
def test_item_size_follows_dynamodbs_documented_rules(item, size):
    assert item_size(item) == size


def _fill(dynamodb, count: int, value: str) -> set[str]:
    ids = {f"big-{n:02d}" for n in range(count)}
    for item_id in ids:
        dynamodb.put_item(TableName="items", Item={
            "id": {"S": item_id}, "data": {"S": value}, "version": {"N": "1"}})
    return ids


def _walk(api: ApiClient, dynamodb, limit: int) -> tuple[list[str], list[int], list[int]]:
    """(ids in order, Lambda response bytes per page, Scan calls per page)."""
    scans = _record_calls(dynamodb, "Scan")
    ids, sizes, calls, token = [], [], [], None
    while True:
        query = {"limit": [str(limit)], **({"next": [token]} if token else {})}
        before = len(scans)
        raw = handler_module.handle(make_event("GET", "/data", query=query), None,
                                    lambda _table: api.storage)
        assert raw["statusCode"] == 200
        sizes.append(len(json.dumps(raw).encode()))  # what Lambda returns, as JSON
        calls.append(len(scans) - before)
        body = json.loads(raw["body"])
        ids += [item["id"] for item in body["items"]]
        token = body.get("next")
        if not token:
            return ids, sizes, calls


def test_list_pages_stay_under_lambdas_response_limit(api, dynamodb):
    # `"` is 1 byte in DynamoDB, 2 in the JSON body and 4 inside Lambda's response:
    # 20 such items of 390 KB would be a ~30 MB page.
    expected = _fill(dynamodb, 20, '"' * 390 * 1024)
    ids, sizes, _ = _walk(api, dynamodb, limit=20)
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))
    assert max(sizes) < LAMBDA_RESPONSE_LIMIT and len(sizes) > 1


def test_list_requests_read_a_bounded_number_of_bytes(api, dynamodb):
    expected = _fill(dynamodb, 20, "x" * 390 * 1024)  # ~7.8 MB in the table
    ids, sizes, calls = _walk(api, dynamodb, limit=20)
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))
    assert max(calls) * SCAN_CALL_LIMIT <= 4 * 1024 * 1024, calls  # <= 4 MB read per request
    assert max(sizes) < LAMBDA_RESPONSE_LIMIT and len(sizes) > 1


def test_client_timeouts_and_retries_end_inside_the_function_timeout(dev_template, monkeypatch,
                                                                    aws_credentials):
    function = dev_template["Resources"][ids.FUNCTION]["Properties"]
    timeout = function["Timeout"]
    monkeypatch.setattr(handler_module, "_client", None)
    for name, value in function["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value if isinstance(value, str) else "items")
    config = handler_module.dynamodb().meta.config
    attempts = config.retries["total_max_attempts"]
    # botocore's standard mode sleeps at most 2**(n-1) s before retry n.
    worst = attempts * (config.connect_timeout + config.read_timeout) + sum(
        2 ** n for n in range(attempts - 1))
    assert config.retries["mode"] == "standard" and worst < timeout


@pytest.fixture()
def stalled_endpoint():
    """A TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_stalled_dynamodb_call_is_a_json_500_with_a_log_line(stalled_endpoint, monkeypatch,
                                                               aws_credentials, capsys):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", stalled_endpoint)
    monkeypatch.setenv("FUNCTION_TIMEOUT_SECONDS", "2")  # one short attempt
    monkeypatch.setenv("COLLECTIONS", '{"/data": "items"}')
    monkeypatch.setattr(handler_module, "_client", None)
    event = make_event("GET", "/data/k")
    raw = handler_module.lambda_handler(event, None)
    body = json.loads(raw["body"])
    assert raw["statusCode"] == 500 and body["error"]["code"] == "INTERNAL_ERROR"
    assert body["error"]["requestId"] == event["requestContext"]["requestId"]
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert any(line["level"] == "ERROR" and "did not answer in time" in line["message"]
               and line["errorCode"] == "ReadTimeoutError" for line in logged)
