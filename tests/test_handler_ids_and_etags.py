"""Ids safe by construction, and ETags that never repeat for an id (RFC 9110 If-Match)."""

from __future__ import annotations

import re

import pytest

from data_api.validation import ID_PATTERN
from tests.api_client import JSON, path_event

BAD_IDS = [".", "..", ".hidden", "a b", "a/b", "ü", "a%20b", "a%2Fb", "a?b", "a#b", "", " ",
           "x" * 257, "a\nb", "a+b", "a:b", "a@b", "🙂"]
GOOD_IDS = ["a", "A-_~.z", "x" * 256, "0", "~", "-", "_.", "a..b"]



@pytest.mark.parametrize("item_id", BAD_IDS)
def test_ids_outside_the_unreserved_rule_are_400_naming_it(api, item_id):
    created = api.call("POST", "/data", {"id": item_id, "data": 1})
    assert created.status == 400 and created.body["error"]["code"] == "BAD_REQUEST_BODY"
    assert "RFC 3986 unreserved" in created.body["error"]["message"]
    for method, body in (("GET", None), ("PUT", '{"data": 1}'), ("DELETE", None)):
        reply = api.send(path_event(method, item_id, body))
        assert reply.status == 400, (method, reply.body)
        assert reply.body["error"]["code"] == "BAD_REQUEST_PARAMETERS"
        assert "RFC 3986 unreserved" in reply.body["error"]["message"]
    assert api.call("GET", "/data").body["count"] == 0


@pytest.mark.parametrize("item_id", GOOD_IDS)
def test_unreserved_ids_round_trip_and_locate_without_encoding(api, item_id):
    assert re.fullmatch(ID_PATTERN, item_id)
    created = api.call("POST", "/data", {"id": item_id, "data": item_id})
    assert created.status == 201 and created.headers["Location"] == f"/dev/data/{item_id}"
    assert api.send(path_event("GET", item_id)).body["data"] == item_id


def test_percent_encoded_path_ids_are_never_decoded(api):
    api.call("POST", "/data", {"id": "a-b", "data": 1})
    assert api.send(path_event("GET", "a%2Db")).status == 400  # not silently "a-b"


def test_etags_never_repeat_across_delete_and_recreate(api):
    first = api.call("POST", "/data", {"id": "k", "data": "old life"}).headers["ETag"]
    assert api.call("DELETE", "/data/k").status == 204
    second = api.call("POST", "/data", {"id": "k", "data": "new life"}).headers["ETag"]
    assert second != first
    stale = api.call("PUT", "/data/k", {"data": "lost update?"},
                     headers={**JSON, "If-Match": first})
    assert stale.status == 412 and stale.headers["ETag"] == second
    assert api.call("DELETE", "/data/k", headers={"If-Match": first}).status == 412
    assert api.call("GET", "/data/k").body["data"] == "new life"


def test_weak_if_match_never_matches(api):
    etag = api.call("POST", "/data", {"id": "k", "data": 0}).headers["ETag"]
    for method, body in (("PUT", {"data": 1}), ("DELETE", None), ("GET", None)):
        reply = api.call(method, "/data/k", body, headers={**JSON, "If-Match": f"W/{etag}"})
        assert reply.status == 412 and reply.headers["ETag"] == etag, method
    assert api.call("GET", "/data/k").body["data"] == 0


def test_if_match_star_means_the_item_exists(api):
    assert api.call("PUT", "/data/k", {"data": 1}, headers={**JSON, "If-Match": "*"}).status \
        == 404
    api.call("POST", "/data", {"id": "k", "data": 0})
    assert api.call("PUT", "/data/k", {"data": 1}, headers={**JSON, "If-Match": "*"}).status \
        == 200


def test_if_match_on_post_is_400_not_ignored(api):
    reply = api.call("POST", "/data", {"id": "k", "data": 0}, headers={**JSON, "If-Match": "*"})
    assert reply.status == 400 and "If-Match" in reply.body["error"]["message"]
    assert api.call("GET", "/data/k").status == 404


def test_if_match_on_get_is_evaluated(api):
    etag = api.call("POST", "/data", {"id": "k", "data": 0}).headers["ETag"]
    assert api.call("GET", "/data/k", headers={"If-Match": etag}).status == 200
    other = api.call("GET", "/data/k", headers={"If-Match": '"1-0000000000000000"'})
    assert other.status == 412 and other.headers["ETag"] == etag


def _put_raw(dynamodb, **attributes) -> None:
    item = {"id": {"S": "foreign"}, "data": {"S": "from another tool"}, **attributes}
    dynamodb.put_item(TableName="items", Item=item)


def test_if_match_on_an_item_without_version_is_412_without_etag(api, dynamodb):
    _put_raw(dynamodb)
    got = api.call("GET", "/data/foreign")
    assert got.status == 200 and "ETag" not in got.headers and "version" not in got.body
    reply = api.call("PUT", "/data/foreign", {"data": 1}, headers={**JSON, "If-Match": '"1"'})
    assert reply.status == 412 and "ETag" not in reply.headers
    assert "has no version" in reply.body["error"]["message"]
    written = api.call("PUT", "/data/foreign", {"data": 2}, headers={**JSON, "If-Match": "*"})
    assert written.status == 200 and re.fullmatch(r"1-[0-9a-f]{16}", written.body["version"])


def test_an_older_numeric_version_without_incarnation_still_matches(api, dynamodb):
    _put_raw(dynamodb, version={"N": "7"})
    assert api.call("GET", "/data/foreign").headers["ETag"] == '"7"'
    reply = api.call("PUT", "/data/foreign", {"data": 1}, headers={**JSON, "If-Match": '"7"'})
    assert reply.status == 200 and reply.body["version"].startswith("8-")


def test_a_non_numeric_version_from_another_tool_is_409_not_500(api, dynamodb):
    _put_raw(dynamodb, version={"S": "v1"})
    assert api.call("GET", "/data/foreign").status == 200
    for headers in (JSON, {**JSON, "If-Match": "*"}):
        reply = api.call("PUT", "/data/foreign", {"data": 1}, headers=headers)
        assert reply.status == 409 and reply.body["error"]["code"] == "CONFLICT"
