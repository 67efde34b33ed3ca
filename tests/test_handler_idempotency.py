"""POST with an Idempotency-Key, in-process on moto's DynamoDB (README "Retries without
doubles"): a retry gets the first answer and never writes a second item."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.stub import Stubber

from data_api import collection_env, idempotency
from data_api.handler import handle
from data_api.storage import Storage
from tests import auth_context
from tests.api_client import JSON, ApiClient, Reply, make_event
from tests.conftest import IDEMPOTENCY_TABLE


def _post(api: ApiClient, body: dict, key: str | None = "k-1", **kwargs) -> Reply:
    headers = {**JSON, **({"Idempotency-Key": key} if key is not None else {})}
    return api.call("POST", "/data", body, headers=headers, **kwargs)


def _items(dynamodb) -> list[dict]:
    return dynamodb.scan(TableName="items")["Items"]


def test_the_same_key_and_body_twice_answers_the_first_answer_once_written(api, dynamodb):
    first = _post(api, {"data": {"n": 1}})
    again = _post(api, {"data": {"n": 1}})
    assert first.status == again.status == 201
    assert again.body == first.body
    for name in ("ETag", "Location"):
        assert again.headers[name] == first.headers[name]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(_items(dynamodb)) == 1
    assert api.call("GET", "/data").body["count"] == 1  # the record is in no list


def test_a_replay_is_the_first_answer_even_after_the_item_changed(api):
    first = _post(api, {"id": "a1", "data": 1})
    api.call("PUT", "/data/a1", {"data": 2}, headers={**JSON, "If-Match": first.headers["ETag"]})
    again = _post(api, {"id": "a1", "data": 1})
    assert (again.status, again.body, again.headers["ETag"]) == (201, first.body,
                                                                first.headers["ETag"])


def test_the_same_key_with_another_body_is_422_and_writes_nothing(api, dynamodb):
    assert _post(api, {"data": "first"}).status == 201
    other = _post(api, {"data": "second"})
    assert other.status == 422
    assert other.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "Idempotency-Key" in other.body["error"]["message"]
    assert [i["data"]["S"] for i in _items(dynamodb)] == ["first"]


def test_the_body_is_compared_as_json_not_as_text(api, dynamodb):
    assert api.call("POST", "/data", '{"data": {"a": 1, "b": 2}}',
                    headers={**JSON, "Idempotency-Key": "k"}).status == 201
    again = api.call("POST", "/data", '{ "data":{"b":2,"a":1} }',
                     headers={**JSON, "Idempotency-Key": "k"})
    assert again.status == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert len(_items(dynamodb)) == 1


def test_without_a_key_every_post_writes(api, dynamodb):
    replies = [_post(api, {"data": 1}, key=None) for _ in range(3)]
    assert [r.status for r in replies] == [201] * 3
    assert len({r.body["id"] for r in replies}) == 3 == len(_items(dynamodb))


def test_a_key_is_the_callers_own(api, dynamodb):
    mine = _post(api, {"data": 1})
    theirs = _post(api, {"data": 1}, caller=auth_context.cognito_context(
        auth_context.user_payload("wanda-writer", [auth_context.GROUPS["writer"]])))
    assert mine.status == theirs.status == 201 and mine.body["id"] != theirs.body["id"]
    assert "Idempotent-Replayed" not in theirs.headers and len(_items(dynamodb)) == 2


def test_a_key_is_the_collections_own(dynamodb, monkeypatch):
    dynamodb.create_table(TableName="orders", KeySchema=[{"AttributeName": "id",
                                                          "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    monkeypatch.setenv(collection_env.ENV, collection_env.encode({"/data": "items",
                                                                 "/orders": "orders"}))
    replies = []
    for path in ("/data", "/orders"):
        event = make_event("POST", path, json.dumps({"data": 1}),
                           headers={**JSON, "Idempotency-Key": "k"})
        event["resource"] = path
        replies.append(handle(event, None, lambda settings: Storage(dynamodb, settings)))
    assert [r["statusCode"] for r in replies] == [201, 201]
    assert "Idempotent-Replayed" not in replies[1]["headers"]
    assert len(dynamodb.scan(TableName="orders")["Items"]) == 1 == len(_items(dynamodb))


def test_a_failed_post_records_nothing_and_its_retry_writes(api, dynamodb):
    assert _post(api, {"data": 1, "extra": True}).status == 400
    assert _post(api, {"data": 1}).status == 201
    assert _post(api, {"id": "taken", "data": 1}, key="k-2").status == 201
    clash = _post(api, {"id": "taken", "data": 2}, key="k-3")
    assert clash.status == 409 and clash.body["error"]["code"] == "CONFLICT"
    api.call("DELETE", "/data/taken")
    assert _post(api, {"id": "taken", "data": 2}, key="k-3").status == 201
    assert "Idempotent-Replayed" not in _post(api, {"data": 3}, key="k-4").headers


def test_records_expire_a_day_on_by_the_tables_ttl_attribute(api, dynamodb, dev_template):
    started = time.time()
    _post(api, {"data": 1})
    (record,) = dynamodb.scan(TableName=IDEMPOTENCY_TABLE)["Items"]
    ttl = dev_template["Resources"]["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl["Enabled"] is True
    expires = int(record[ttl["AttributeName"]]["N"])
    assert started + 24 * 3600 - 5 <= expires <= time.time() + 24 * 3600 + 5
    # Past its expiry (DynamoDB deletes it only eventually), a record counts as absent.
    dynamodb.update_item(TableName=IDEMPOTENCY_TABLE, Key={"key": record["key"]},
                         UpdateExpression="SET #e = :past", ExpressionAttributeNames={
                             "#e": ttl["AttributeName"]},
                         ExpressionAttributeValues={":past": {"N": str(int(started) - 1)}})
    later = _post(api, {"data": 1})
    assert later.status == 201 and "Idempotent-Replayed" not in later.headers
    assert len(_items(dynamodb)) == 2


@pytest.mark.parametrize("value", ['"k-1"', "k-1", '  "k-1"  '])
def test_the_key_as_a_quoted_string_or_bare(api, dynamodb, value):
    assert _post(api, {"data": 1}).status == 201
    again = _post(api, {"data": 1}, key=value)
    assert again.headers.get("Idempotent-Replayed") == "true" and len(_items(dynamodb)) == 1


@pytest.mark.parametrize("value", ["", '""', "a b", "x" * 256, '"unterminated', "caf\u00e9"])
def test_a_malformed_key_is_400(api, dynamodb, value):
    reply = _post(api, {"data": 1}, key=value)
    assert reply.status == 400 and reply.body["error"]["code"] == "BAD_REQUEST_PARAMETERS"
    assert "Idempotency-Key" in reply.body["error"]["message"] and not _items(dynamodb)


def test_an_answer_too_large_to_keep_replays_the_stored_item(api, monkeypatch):
    monkeypatch.setattr(idempotency, "MAX_ITEM_BYTES", 300)
    first = _post(api, {"data": "x" * 200})
    again = _post(api, {"data": "x" * 200})
    assert (again.status, again.body, again.headers["ETag"]) == (201, first.body,
                                                                first.headers["ETag"])


def test_sixteen_parallel_retries_make_one_item_in_every_round(api, dynamodb, monkeypatch):
    """DynamoDB runs each request atomically; moto's in-process backend does not, so each
    call is serialised here as the local AWS does (localdev.moto_server): what is left to
    race is the handler's own sequence of calls."""
    lock = threading.Lock()
    call = dynamodb._make_api_call

    def atomic(*args, **kwargs):
        with lock:
            return call(*args, **kwargs)

    monkeypatch.setattr(dynamodb, "_make_api_call", atomic)
    for round_ in range(5):
        with ThreadPoolExecutor(16) as pool:
            replies = list(pool.map(lambda _: _post(api, {"data": round_}, key=f"r{round_}"),
                                    range(16)))
        assert {r.status for r in replies} == {201}
        assert len({r.body["id"] for r in replies}) == 1
        assert sum("Idempotent-Replayed" not in r.headers for r in replies) == 1
    assert len(_items(dynamodb)) == 5


def test_a_key_given_twice_is_400(api, dynamodb):
    event = make_event("POST", "/data", json.dumps({"data": 1}),
                       headers={**JSON, "Idempotency-Key": "b"})
    event["multiValueHeaders"]["Idempotency-Key"] = ["a", "b"]
    reply = api.send(event)
    assert reply.status == 400 and "given 2 times" in reply.body["error"]["message"]
    assert not _items(dynamodb)


def test_a_replays_location_follows_the_path_the_retry_came_in_on(api):
    first = _post(api, {"data": 1})
    assert first.headers["Location"] == f"/dev/data/{first.body['id']}"
    event = make_event("POST", "/data", json.dumps({"data": 1}),
                       headers={**JSON, "Idempotency-Key": "k-1"})
    event["requestContext"]["path"] = "/data"  # a custom domain: no stage in the path
    again = api.send(event)
    assert again.headers["Location"] == f"/data/{first.body['id']}"
    assert again.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("same", ['{"data": {"n": 1.0}}', '{"data": {"n": 1e0}}',
                                  '{"data": {"n": 10E-1}}'])
def test_numbers_are_compared_by_value(api, dynamodb, same):
    assert api.call("POST", "/data", '{"data": {"n": 1}}',
                    headers={**JSON, "Idempotency-Key": "n"}).status == 201
    again = api.call("POST", "/data", same, headers={**JSON, "Idempotency-Key": "n"})
    assert again.status == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert api.call("POST", "/data", '{"data": {"n": "1"}}',
                    headers={**JSON, "Idempotency-Key": "n"}).status == 422


def test_sessions_of_one_assumed_role_share_keys_other_iam_callers_do_not(api, dynamodb,
                                                                         monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "iam")

    def role(session: str) -> dict:
        caller = auth_context.iam_caller()
        caller["identity"]["userArn"] = (
            f"arn:aws:sts::{auth_context.ACCOUNT}:assumed-role/ci-deployer/{session}")
        return caller

    first = _post(api, {"data": 1}, caller=role("botocore-session-1"))
    again = _post(api, {"data": 1}, caller=role("botocore-session-2"))
    other = _post(api, {"data": 1}, caller=auth_context.iam_caller("someone-else"))
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.body["id"] == first.body["id"] != other.body["id"]
    assert len(_items(dynamodb)) == 2


@pytest.mark.parametrize("reasons", [
    [{"Code": "None"}, {"Code": "TransactionConflict"}],
    [{"Code": "ConditionalCheckFailed"}, {"Code": "TransactionConflict"}]])
def test_a_conflict_in_dynamodb_is_409_in_progress_whatever_else_failed(api, dynamodb, reasons):
    with Stubber(dynamodb) as stub:
        stub.add_client_error("transact_write_items",
                              service_error_code="TransactionCanceledException",
                              http_status_code=400, modeled_fields={"CancellationReasons": reasons})
        reply = _post(api, {"id": "x", "data": 1})
    assert reply.status == 409 and reply.body["error"]["code"] == "REQUEST_IN_PROGRESS"
    assert reply.headers["Retry-After"] == "1"
    assert "Retry-After" in reply.headers["Access-Control-Expose-Headers"]


def test_an_item_too_large_inside_the_transaction_is_413(api, dynamodb):
    with Stubber(dynamodb) as stub:
        stub.add_client_error(
            "transact_write_items", service_error_code="TransactionCanceledException",
            http_status_code=400, modeled_fields={"CancellationReasons": [
                {"Code": "ValidationError", "Message": "Item size has exceeded the maximum "
                 "allowed size"}, {"Code": "None"}]})
        reply = _post(api, {"data": 1})
    assert reply.status == 413 and reply.body["error"]["code"] == "REQUEST_TOO_LARGE"


def test_a_plain_write_meeting_a_transaction_is_503_with_retry_after(api, dynamodb):
    created = _post(api, {"id": "busy", "data": 1}, key=None)
    with Stubber(dynamodb) as stub:
        stub.add_client_error("update_item", service_error_code="TransactionConflictException",
                              http_status_code=400)
        reply = api.call("PUT", "/data/busy", {"data": 2},
                         headers={**JSON, "If-Match": created.headers["ETag"]})
    assert reply.status == 503 and reply.headers["Retry-After"] == "1"
    assert reply.body["error"]["code"] == "THROTTLED"
