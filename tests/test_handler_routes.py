"""Every route of the API against moto's DynamoDB: the behaviour clients rely on."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest

from data_api import cors

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
VERSION = re.compile(r"^(\d+)-[0-9a-f]{16}$")  # <writes since creation>-<incarnation>


def _assert_cors(reply, origin: str = "*") -> None:
    for name, value in cors.response_headers(origin).items():
        assert reply.headers[name] == value


def test_create_with_server_fields(api):
    reply = api.call("POST", "/data", {"data": {"name": "ada", "tags": ["x"]}})
    assert reply.status == 201
    item = reply.body
    assert uuid.UUID(item["id"]).version == 4
    assert item["data"] == {"name": "ada", "tags": ["x"]}
    assert VERSION.match(item["version"])[1] == "1" and ISO_UTC.match(item["created_at"])
    assert item["created_at"] == item["updated_at"]
    assert reply.headers["Location"] == f"/dev/data/{item['id']}"
    assert reply.headers["ETag"] == f'"{item["version"]}"'
    _assert_cors(reply)


def test_create_with_own_id_and_conflict_overwrites_nothing(api):
    assert api.call("POST", "/data", {"id": "k1", "data": "first"}).status == 201
    reply = api.call("POST", "/data", {"id": "k1", "data": "second"})
    assert reply.status == 409 and reply.body["error"]["code"] == "CONFLICT"
    assert api.call("GET", "/data/k1").body["data"] == "first"


def test_get_item_and_missing_item(api):
    created = api.call("POST", "/data", {"id": "k", "data": [1, 2]})
    reply = api.call("GET", "/data/k")
    assert reply.status == 200 and reply.body["data"] == [1, 2]
    assert reply.headers["ETag"] == created.headers["ETag"] == f'"{reply.body["version"]}"'
    missing = api.call("GET", "/data/nope")
    assert missing.status == 404 and missing.body["error"]["code"] == "NOT_FOUND"
    _assert_cors(missing)


def test_put_replaces_and_bumps_version(api):
    created = api.call("POST", "/data", {"id": "k", "data": {"a": 1}}).body
    reply = api.call("PUT", "/data/k", {"data": {"b": 2}})
    assert reply.status == 200
    assert reply.body["data"] == {"b": 2}
    assert VERSION.match(reply.body["version"])[1] == "2"
    assert reply.body["version"].split("-")[1] == created["version"].split("-")[1]
    assert reply.body["created_at"] == created["created_at"]
    assert datetime.fromisoformat(reply.body["updated_at"].replace("Z", "+00:00")) >= \
        datetime.fromisoformat(created["updated_at"].replace("Z", "+00:00"))
    assert reply.headers["ETag"] == f'"{reply.body["version"]}"'


def test_put_never_creates(api):
    reply = api.call("PUT", "/data/ghost", {"data": 1})
    assert reply.status == 404
    assert api.call("GET", "/data/ghost").status == 404


@pytest.mark.parametrize("if_match", ["{etag}", '"0-0000000000000000", {etag}', "*",
                                      ' {etag} , "other"'])
def test_put_with_current_version_succeeds(api, if_match):
    etag = api.call("POST", "/data", {"id": "k", "data": 0}).headers["ETag"]
    reply = api.call("PUT", "/data/k", {"data": 1}, headers={
        "Content-Type": "application/json", "If-Match": if_match.format(etag=etag)})
    assert reply.status == 200 and VERSION.match(reply.body["version"])[1] == "2"


def test_put_with_stale_version_is_412_and_changes_nothing(api):
    stale = api.call("POST", "/data", {"id": "k", "data": 0}).headers["ETag"]
    current = api.call("PUT", "/data/k", {"data": 1}).headers["ETag"]
    reply = api.call("PUT", "/data/k", {"data": "stale"},
                     headers={"Content-Type": "application/json", "If-Match": stale})
    assert reply.status == 412 and reply.body["error"]["code"] == "PRECONDITION_FAILED"
    assert reply.headers["ETag"] == current
    assert api.call("GET", "/data/k").body["data"] == 1


def test_put_body_holds_only_data_the_id_is_the_paths(api):
    api.call("POST", "/data", {"id": "k", "data": 0})
    for body in ({"id": "other", "data": 1}, {"id": "k", "data": 1}):
        reply = api.call("PUT", "/data/k", body)
        assert reply.status == 400 and reply.body["error"]["code"] == "BAD_REQUEST_BODY"
        assert "'id'" in reply.body["error"]["message"]
    assert api.call("GET", "/data/k").body["data"] == 0
    assert api.call("PUT", "/data/k", {"data": 1}).status == 200


def test_delete_then_404(api):
    api.call("POST", "/data", {"id": "k", "data": 0})
    reply = api.call("DELETE", "/data/k")
    assert reply.status == 204 and reply.body is None
    _assert_cors(reply)
    assert api.call("DELETE", "/data/k").status == 404
    assert api.call("GET", "/data/k").status == 404


def test_delete_with_stale_version_keeps_the_item(api):
    etag = api.call("POST", "/data", {"id": "k", "data": 0}).headers["ETag"]
    api.call("PUT", "/data/k", {"data": 1})
    stale = api.call("DELETE", "/data/k", headers={"If-Match": etag})
    assert stale.status == 412
    assert api.call("GET", "/data/k").status == 200


@pytest.mark.parametrize("path,allowed", [("/data", "GET, POST, OPTIONS"),
                                          ("/data/x", "GET, PUT, DELETE, OPTIONS")])
@pytest.mark.parametrize("method", ["PATCH", "HEAD", "OPTIONS", ""])
def test_direct_invocation_with_another_method_is_405_with_allow(api, path, allowed, method):
    # API Gateway answers these itself (MOCK methods and preflight); a direct
    # invocation of the function still gets the gateway's answer, never a 500.
    wrong = api.call(method, path, {"data": 1})
    assert wrong.status == 405 and wrong.headers["Allow"] == allowed
    assert wrong.body["error"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("path", ["/", "/items", "/data/a/b", "/dat"])
def test_unknown_paths_are_404_json(api, path):
    reply = api.call("GET", path)
    assert reply.status == 404 and reply.body["error"]["code"] == "NOT_FOUND"
    _assert_cors(reply)


def test_specific_origin_adds_vary(api, monkeypatch):
    monkeypatch.setenv("CORS_ORIGIN", "https://app.example.com")
    for reply in (api.call("GET", "/data/none"), api.call("GET", "/data"),
                  api.call("POST", "/data", "not json")):
        _assert_cors(reply, "https://app.example.com")
        assert reply.headers["Vary"] == "Origin"


def test_location_is_the_id_as_sent(api):
    created = api.call("POST", "/data", {"id": "Az09-._~x", "data": 1})
    assert created.status == 201 and created.headers["Location"] == "/dev/data/Az09-._~x"
    assert api.call("GET", "/data/Az09-._~x").body["data"] == 1
