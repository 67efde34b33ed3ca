"""One function serves every collection: each request reaches its own collection's
table, and nothing of one collection is visible through another (in-process, moto)."""

from __future__ import annotations

import json
from typing import Any, Optional
from urllib.parse import parse_qs

import pytest

from data_api import collection_env
from data_api.handler import handle
from data_api.storage import Storage
from tests import auth_context
from tests.api_client import make_event

TABLES = {"/data": "items", "/orders": "orders-table", "/customer_notes": "notes-table"}


@pytest.fixture()
def call(dynamodb, monkeypatch: pytest.MonkeyPatch):
    for table in TABLES.values():
        if table != "items":
            dynamodb.create_table(TableName=table,
                                  KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": "id",
                                                         "AttributeType": "S"}],
                                  BillingMode="PAY_PER_REQUEST")
    monkeypatch.setenv(collection_env.ENV, collection_env.encode(TABLES))
    monkeypatch.setenv("CORS_ORIGIN", "*")
    used: list[str] = []

    def storage(collection: collection_env.Settings) -> Storage:
        used.append(collection.table)
        return Storage(dynamodb, collection)

    def send(method: str, path: str, body: Any = None,
             headers: Optional[dict[str, str]] = None) -> tuple[int, dict, Any]:
        collection, _, item_id = path.strip("/").partition("/")
        event = make_event(method, path, None if body is None else json.dumps(body),
                           headers={"Content-Type": "application/json", **(headers or {})})
        event.update(resource=f"/{collection}" + ("/{id}" if item_id else ""),
                     pathParameters={"id": item_id} if item_id else None)
        raw = handle(event, None, storage)
        return raw["statusCode"], raw["headers"], json.loads(raw["body"]) if raw["body"] else None

    send.used = used  # type: ignore[attr-defined]
    send.dynamodb = dynamodb  # type: ignore[attr-defined]
    return send


def test_each_collection_writes_and_reads_its_own_table(call):
    for path, table in TABLES.items():
        status, headers, item = call("POST", path, {"id": "same-id", "data": {"in": path}})
        assert status == 201, item
        assert headers["Location"] == f"/dev{path}/same-id"
        assert call.used[-1] == table
    for path, table in TABLES.items():
        stored = call.dynamodb.get_item(TableName=table, Key={"id": {"S": "same-id"}})["Item"]
        assert stored["data"] == {"M": {"in": {"S": path}}}
        status, _, item = call("GET", f"{path}/same-id")
        assert (status, item["data"]) == (200, {"in": path})


def test_an_item_of_one_collection_is_not_found_in_another(call):
    assert call("POST", "/orders", {"id": "order-1", "data": 1})[0] == 201
    assert call("GET", "/orders/order-1")[0] == 200
    for other in ("/data", "/customer_notes"):
        status, _, body = call("GET", f"{other}/order-1")
        assert (status, body["error"]["code"]) == (404, "NOT_FOUND")
        assert call("DELETE", f"{other}/order-1")[0] == 404
        assert call("GET", other)[2]["items"] == []
    assert [i["id"] for i in call("GET", "/orders")[2]["items"]] == ["order-1"]


def test_if_match_and_pages_work_on_every_collection(call):
    for path in TABLES:
        ids = [f"p-{n}" for n in range(5)]
        for item_id in ids:
            assert call("POST", path, {"id": item_id, "data": item_id})[0] == 201
        seen: list[str] = []
        query = "?limit=2"
        while True:
            status, _, page = _list(call, path, query)
            assert status == 200
            seen += [item["id"] for item in page["items"]]
            if "next" not in page:
                break
            query = f"?limit=2&next={page['next']}"
        assert sorted(seen) == ids
        _, headers, _ = call("GET", f"{path}/p-0")
        assert call("PUT", f"{path}/p-0", {"data": 2}, {"If-Match": '"stale"'})[0] == 412
        assert call("PUT", f"{path}/p-0", {"data": 2}, {"If-Match": headers["ETag"]})[0] == 200
        # The ETag read before the PUT is stale now.
        assert call("DELETE", f"{path}/p-0", None, {"If-Match": headers["ETag"]})[0] == 412


def _list(call, path: str, query: str) -> tuple[int, dict, Any]:
    params = parse_qs(query.lstrip("?"))
    event = make_event("GET", path, query=params)
    event["resource"] = path
    raw = handle(event, None, lambda table: Storage(call.dynamodb, table))
    return raw["statusCode"], raw["headers"], json.loads(raw["body"])


def test_a_path_of_no_collection_is_a_404_naming_the_collections(call):
    status, _, body = call("GET", "/invoices")
    assert status == 404
    assert body["error"]["message"] == ("no route for this path; try /data, /data/{id}, "
                                        "/orders, /orders/{id}, /customer_notes or "
                                        "/customer_notes/{id}")


def test_a_readers_write_is_403_on_every_collection(call):
    for path in TABLES:
        event = make_event("POST", path, json.dumps({"data": 1}), caller=auth_context.reader_user())
        event["resource"] = path
        raw = handle(event, None, lambda table: Storage(call.dynamodb, table))
        assert raw["statusCode"] == 403
        assert json.loads(raw["body"])["error"]["code"] == "ACCESS_DENIED"


def test_without_its_collections_variable_the_function_answers_a_json_500(call, monkeypatch):
    monkeypatch.delenv(collection_env.ENV)
    status, _, body = call("GET", "/data")
    assert (status, body["error"]["code"]) == (500, "INTERNAL_ERROR")
