"""A collection's schema, index queries and expiry, in the handler over moto's DynamoDB.

The tables are created from the rendered template's own table properties (key schema,
attribute definitions, global secondary indexes) and the function's COLLECTIONS variable
is the rendered one, table names resolved: what a launched stack gives the function.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Optional

import pytest

from data_api import collection_env
from data_api.handler import handle
from data_api.storage import Storage
from data_api_stack import build_template, parse_config
from tests.api_client import make_event
from tests.helpers import ORDERS_SCHEMA, PROJECT

CONFIG = {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip", "collections": {
    "orders": {"billing": "on_demand", "schema": ORDERS_SCHEMA,
               "indexes": {"by_customer": {"attribute": "customer_id"}},
               "ttl_attribute": "expires_at"},
    "scores": {"billing": "on_demand",
               "indexes": {"by_points": {"attribute": "points", "type": "number"},
                           "by_player": {"attribute": "player"}}}}}


@pytest.fixture()
def call(dynamodb, monkeypatch: pytest.MonkeyPatch):
    """send(method, path, body=None, query=None) -> (status, body) through handle(); a
    str body is sent as it is, any other as JSON."""
    cfg = parse_config(CONFIG)
    resources = build_template(cfg).to_dict()["Resources"]
    names = {}
    for collection in cfg.collections:
        props = resources[collection.table_id]["Properties"]
        names[collection.table_id] = collection.name
        dynamodb.create_table(TableName=collection.name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=props["KeySchema"],
                              AttributeDefinitions=props["AttributeDefinitions"],
                              GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"])
    variable = resources["ApiFunction"]["Properties"]["Environment"]["Variables"][
        collection_env.ENV]["Fn::Sub"]
    monkeypatch.setenv(collection_env.ENV, re.sub(r"\$\{(\w+)\}", lambda m: names[m.group(1)],
                                                  variable).replace("${!", "${"))
    monkeypatch.setenv("CORS_ORIGIN", "*")

    def send(method: str, path: str, body: Any = None,
             query: Optional[dict[str, str]] = None) -> tuple[int, Any]:
        collection, _, item_id = path.strip("/").partition("/")
        text = body if isinstance(body, str) or body is None else json.dumps(body)
        event = make_event(method, path, text,
                           query={k: [v] for k, v in (query or {}).items()} or None)
        event.update(resource=f"/{collection}" + ("/{id}" if item_id else ""),
                     pathParameters={"id": item_id} if item_id else None)
        raw = handle(event, None, lambda settings: Storage(dynamodb, settings))
        return raw["statusCode"], json.loads(raw["body"]) if raw["body"] else None

    send.dynamodb = dynamodb  # type: ignore[attr-defined]
    return send


def _order(customer: str, total: Any = 10, **more: Any) -> dict[str, Any]:
    return {"customer_id": customer, "total": total, **more}


def _all_pages(call, path: str, query: dict[str, str], limit: int = 1) -> list[str]:
    seen: list[str] = []
    token = None
    for _ in range(50):
        status, page = call("GET", path, query={**query, "limit": str(limit),
                                                **({"next": token} if token else {})})
        assert status == 200, page
        assert page["count"] == len(page["items"]) <= limit
        seen += [item["id"] for item in page["items"]]
        token = page.get("next")
        if token is None:
            return seen
    raise AssertionError("pages never ended")


def test_a_query_pages_through_exactly_the_matching_items(call):
    for n in range(3):
        assert call("POST", "/orders", {"id": f"a{n}", "data": _order("alice")})[0] == 201
    for n in range(2):
        assert call("POST", "/orders", {"id": f"b{n}", "data": _order("bob")})[0] == 201
    alice = _all_pages(call, "/orders", {"customer_id": "alice"})
    assert sorted(alice) == ["a0", "a1", "a2"] and len(alice) == 3
    assert sorted(_all_pages(call, "/orders", {"customer_id": "bob"}, limit=5)) == ["b0", "b1"]
    assert _all_pages(call, "/orders", {"customer_id": "carol"}) == []
    status, page = call("GET", "/orders", query={"customer_id": "alice", "limit": "1"})
    item = page["items"][0]
    assert set(item) == {"id", "data", "created_at", "updated_at", "version"}, "no mirror shown"


def test_a_token_serves_only_the_query_that_made_it(call):
    for n in range(2):
        call("POST", "/orders", {"id": f"a{n}", "data": _order("alice")})
        call("POST", "/orders", {"id": f"b{n}", "data": _order("bob")})
    _, alice = call("GET", "/orders", query={"customer_id": "alice", "limit": "1"})
    _, listed = call("GET", "/orders", query={"limit": "1"})
    for query in ({"customer_id": "bob"}, {}):
        status, body = call("GET", "/orders", query={**query, "next": alice["next"]})
        assert status == 400 and body["error"]["code"] == "BAD_REQUEST_PARAMETERS", body
        assert "query" in body["error"]["message"]
    status, body = call("GET", "/orders", query={"customer_id": "alice",
                                                 "next": listed["next"]})
    assert status == 400 and "token of the list" in body["error"]["message"]
    status, body = call("GET", "/orders", query={"customer_id": "alice",
                                                 "next": alice["next"]})
    assert status == 200 and body["count"] == 1


def test_writes_keep_the_index_in_step_with_data(call):
    call("POST", "/scores", {"id": "s1", "data": {"player": "ann", "points": 7}})
    call("POST", "/scores", {"id": "s2", "data": {"player": 42, "points": "7"}})  # wrong types
    call("POST", "/scores", {"id": "s3", "data": ["not", "an", "object"]})
    assert _all_pages(call, "/scores", {"player": "ann"}) == ["s1"]
    assert _all_pages(call, "/scores", {"points": "7"}) == ["s1"]
    assert _all_pages(call, "/scores", {"points": "7.000"}) == ["s1"], "the same number"
    assert call("PUT", "/scores/s1", {"data": {"player": "bea"}})[0] == 200
    assert _all_pages(call, "/scores", {"player": "ann"}) == []
    assert _all_pages(call, "/scores", {"player": "bea"}) == ["s1"]
    assert _all_pages(call, "/scores", {"points": "7"}) == [], "a removed field leaves it"
    assert call("DELETE", "/scores/s1")[0] == 204
    assert _all_pages(call, "/scores", {"player": "bea"}) == []


@pytest.mark.parametrize("query,named", [
    ({"player": "ann", "points": "1"}, "one index at a time"),
    ({"player": ""}, "'player'"),
    ({"player": "x" * 513}, "'player' must be 1-512 characters"),
    ({"points": "seven"}, "'points' must be a number"),
    ({"points": "1e200"}, "range"),
    ({"points": "NaN"}, "'points' must be a number"),
])
def test_a_bad_query_is_a_400_naming_it(call, query, named):
    status, body = call("GET", "/scores", query=query)
    assert status == 400 and body["error"]["code"] == "BAD_REQUEST_PARAMETERS"
    assert named in body["error"]["message"], body


@pytest.mark.parametrize("query", [{"points": "1." + "1" * 40}])
def test_a_value_no_stored_key_can_hold_is_an_empty_page(call, query):
    """More digits than DynamoDB's 38: no such number is stored, so nothing matches."""
    assert call("GET", "/scores", query=query) == (200, {"items": [], "count": 0})


def test_a_body_the_schema_refuses_is_a_400_naming_where(call):
    for data, where in ((_order("c", -1), "data.total"), ({"total": 1}, "'customer_id'"),
                        (_order("c" * 65), "data.customer_id"),
                        (_order("c", expires_at=1.5), "data.expires_at")):
        status, body = call("POST", "/orders", {"data": data})
        assert status == 400 and body["error"]["code"] == "BAD_REQUEST_BODY", body
        assert where in body["error"]["message"], body
    call("POST", "/orders", {"id": "ok", "data": _order("c")})
    status, body = call("PUT", "/orders/ok", {"data": {"customer_id": "c"}})
    assert status == 400 and "'total'" in body["error"]["message"]


def _expire(dynamodb: Any, table: str, item_id: str, at: int) -> None:
    """Time passes: the item's expiry (its data field and the mirror) becomes `at`."""
    dynamodb.update_item(TableName=table, Key={"id": {"S": item_id}},
                         UpdateExpression="SET expires_at = :at, #data.expires_at = :at",
                         ExpressionAttributeNames={"#data": "data"},
                         ExpressionAttributeValues={":at": {"N": str(at)}})


def test_a_write_whose_expiry_is_already_past_is_refused(call):
    """It would answer with an item no read could ever return."""
    for past in (int(time.time()), int(time.time()) - 5, 0):
        status, body = call("POST", "/orders", {"data": _order("dan", expires_at=past)})
        assert status == 400 and body["error"]["code"] == "BAD_REQUEST_BODY"
        assert "data.expires_at" in body["error"]["message"] and \
            "already past" in body["error"]["message"], body
    call("POST", "/orders", {"id": "o", "data": _order("dan", expires_at=2 ** 40)})
    status, body = call("PUT", "/orders/o", {"data": _order("dan", expires_at=5)})
    assert status == 400 and "already past" in body["error"]["message"], body


def test_an_expired_item_is_never_returned_nor_changed(call):
    past, future = int(time.time()) - 5, int(time.time()) + 3600
    call("POST", "/orders", {"id": "old", "data": _order("dan", expires_at=future)})
    _expire(call.dynamodb, "orders", "old", past)
    call("POST", "/orders", {"id": "new", "data": _order("dan", expires_at=future)})
    call("POST", "/orders", {"id": "ever", "data": _order("dan")})
    assert call("GET", "/orders/old")[0] == 404
    assert call("GET", "/orders/new")[0] == 200
    assert sorted(_all_pages(call, "/orders", {})) == ["ever", "new"]
    assert sorted(_all_pages(call, "/orders", {"customer_id": "dan"})) == ["ever", "new"]
    assert call("PUT", "/orders/old", {"data": _order("dan")})[0] == 404
    assert call("DELETE", "/orders/old")[0] == 404
    stored = call.dynamodb.get_item(TableName="orders", Key={"id": {"S": "old"}})
    assert "Item" in stored, "still in the table until DynamoDB's TTL deletes it"
    status, item = call("POST", "/orders", {"id": "old", "data": _order("eve")})
    assert status == 201 and item["data"]["customer_id"] == "eve", "its id is free again"


def test_a_run_of_expired_items_is_passed_over_not_looped(call):
    past = int(time.time()) - 5
    for n in range(12):
        call("POST", "/orders", {"id": f"x{n:02}", "data": _order("f", expires_at=2 ** 40)})
        _expire(call.dynamodb, "orders", f"x{n:02}", past)
    for n in range(3):
        call("POST", "/orders", {"id": f"live{n}", "data": _order("f")})
    assert sorted(_all_pages(call, "/orders", {}, limit=2)) == ["live0", "live1", "live2"]
    assert sorted(_all_pages(call, "/orders", {"customer_id": "f"}, limit=2)) == [
        "live0", "live1", "live2"]


def test_the_release_checks_create_an_item_the_schema_accepts(call, monkeypatch):
    """The pre-traffic check and `make smoke` write one marked item per collection: with a
    schema, the collection's example (derived from it when not given), or every release
    of the stack would fail its checks."""
    from deploy_hooks import checks

    cfg = parse_config(CONFIG)
    examples = {c.path: c.example for c in cfg.collections if c.example is not None}
    assert set(examples) == {"/orders"}

    def send(request: checks.Request) -> checks.Answer:
        status, body = call(request.method, request.path, request.body, query=request.query)
        return checks.Answer(status, {}, json.dumps(body) if body is not None else "")

    results = checks.run_checks(send, "r1", collections=["/orders", "/scores"],
                                examples=examples)
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    without = checks.run_checks(send, "r2", collections=["/orders"])
    assert [r.name for r in without if not r.passed] == ["create a marked item"]


@pytest.mark.parametrize("rules,named", [
    ({"schema": {"type": "object", "required": ["code"],
                 "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}}}},
     ["collections.orders", "give `example`", "does not match"]),
    ({"schema": ORDERS_SCHEMA, "example": {"customer_id": "c"}},
     ["collections.orders.example", "'total'"]),
    ({"schema": ORDERS_SCHEMA, "example": {"customer_id": "c", "total": float("nan")}},
     ["collections.orders.example", "JSON values"]),
])
def test_an_example_the_schema_refuses_or_cannot_have_is_a_named_error(rules, named):
    from data_api_stack import ConfigError

    with pytest.raises(ConfigError) as raised:
        parse_config({**CONFIG, "collections": {"orders": rules}})
    for part in named:
        assert part in str(raised.value), (part, str(raised.value))


def test_a_given_example_is_the_checks_data():
    example = {"code": "ABC"}
    cfg = parse_config({**CONFIG, "collections": {"orders": {"schema": {
        "type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}}},
        "example": example}}})
    assert cfg.collections[0].example == example


def test_mirrors_of_rules_a_collection_no_longer_has_never_show_nor_answer(dynamodb):
    """Rules removed, data changed, rules back: the mirror written under the first rules
    is stale; it is never shown, and a query only answers for what data holds now."""
    from data_api.collection_env import Index, Settings
    from data_api.queries import Query

    dynamodb.create_table(
        TableName="rules", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "owner", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_owner", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}]}])
    index = Index("by_owner", "owner", "S")
    ruled = Storage(dynamodb, Settings("rules", indexes=(index,), ttl="until"))
    plain = Storage(dynamodb, Settings("rules"))
    ruled.create("i1", {"owner": "ann", "until": int(time.time()) + 3600})
    changed = plain.replace("i1", {"owner": "bob"}, None)
    assert set(changed) == {"id", "data", "created_at", "updated_at", "version"}
    assert set(plain.get("i1")) == set(changed)
    stored = dynamodb.get_item(TableName="rules", Key={"id": {"S": "i1"}})["Item"]
    assert stored["owner"] == {"S": "ann"}, "the stale mirror is still in the table"
    assert ruled.list_page(10, None, Query(index, "ann")) == ([], None)


def test_an_example_expiring_before_the_checks_run_is_a_named_error():
    from data_api_stack import ConfigError

    with pytest.raises(ConfigError, match=r"collections.orders.example: .*expires_at 1000 is "
                                          r"already past"):
        parse_config({**CONFIG, "collections": {"orders": {
            "schema": ORDERS_SCHEMA, "ttl_attribute": "expires_at",
            "example": {"customer_id": "c", "total": 1, "expires_at": 1000}}}})


def test_backfill_brings_items_written_before_the_rules_under_them(call):
    """Items written before the index and expiry existed (no mirrors) are in no query and
    never expire; the backfill writes what their data calls for, once."""
    from data_api import collection_env as env_module
    from localdev.backfill import backfill

    dynamodb = call.dynamodb
    for item_id, data in (("b1", _order("gus")), ("b2", _order("gus", expires_at=2 ** 40)),
                          ("b3", {"total": 1})):
        dynamodb.put_item(TableName="orders", Item={
            "id": {"S": item_id}, "data": {"M": {k: ({"S": v} if isinstance(v, str)
                                                     else {"N": str(v)})
                                                 for k, v in data.items()}},
            "created_at": {"S": "2026-01-01T00:00:00.000Z"},
            "updated_at": {"S": "2026-01-01T00:00:00.000Z"}})
    dynamodb.put_item(TableName="orders", Item={"id": {"S": "other"}, "x": {"S": "y"}})
    assert _all_pages(call, "/orders", {"customer_id": "gus"}) == []
    settings = env_module.tables()["/orders"]
    first = backfill(dynamodb, settings)
    assert (first.read, first.written, first.changed_meanwhile) == (4, 2, 0)
    assert sorted(_all_pages(call, "/orders", {"customer_id": "gus"})) == ["b1", "b2"]
    stored = dynamodb.get_item(TableName="orders", Key={"id": {"S": "b2"}})["Item"]
    assert stored["expires_at"] == {"N": str(2 ** 40)}
    assert backfill(dynamodb, settings).written == 0, "a second run changes nothing"


def test_a_patterns_dollar_ends_the_text_in_the_function_and_the_local_gateway():
    """ECMA 262 (draft 4's dialect) reads `$` as the end of the text; Python's re would
    also match before a final newline. Both checks of a body read it as ECMA 262 does."""
    from data_api import data_schema
    from localdev.request_checks import validator_for

    schema = {"type": "string", "pattern": "^[a-z]+$"}
    gateway = validator_for({"type": "object", "properties": {"data": schema}})
    for text, valid in (("abc", True), ("abc\n", False), ("ab$", False)):
        assert (data_schema.first_problems(schema, text) == []) is valid, text
        assert gateway.is_valid({"data": text}) is valid, text
    escaped = {"type": "string", "pattern": "^a\\$[$]$"}
    assert data_schema.first_problems(escaped, "a$$") == []
    assert validator_for(escaped).is_valid("a$$")
    nested = {"enum": [[1]]}
    assert data_schema.first_problems(nested, [True]) and not validator_for(nested).is_valid(
        [True]), "true is not 1, inside an array too"


def test_a_query_on_an_index_still_being_built_is_a_503_to_retry(call):
    """DynamoDB answers no Query on an index it is still building (after the launch that
    added it): a 503 with Retry-After, never a 500."""
    from botocore.stub import Stubber

    stubber = Stubber(call.dynamodb)
    stubber.add_client_error("query", "ValidationException",
                             "Cannot read from backfilling global secondary index: by_customer")
    with stubber:
        status, body = call("GET", "/orders", query={"customer_id": "x"})
    assert status == 503 and body["error"]["code"] == "THROTTLED", body
