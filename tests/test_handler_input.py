"""Bad input: a clear 4xx JSON error, nothing stored, never a 500. Exact numbers."""

from __future__ import annotations

import json

import pytest

from tests.api_client import JSON, make_event

BAD_BODIES = [
    (None, 400, "required"),
    ("", 400, "empty"),
    ("   \n\t", 400, "empty"),
    ("{not json", 400, "invalid JSON"),
    ("[1, 2]", 400, "JSON object"),
    ('"text"', 400, "JSON object"),
    ("null", 400, "JSON object"),
    ('{"id": "x"}', 400, "'data' is required"),
    ('{"data": 1, "extra": 2}', 400, "unknown field"),
    ('{"data": 1, "data": 2}', 400, "duplicate key"),
    ('{"data": NaN}', 400, "NaN"),
    ('{"data": Infinity}', 400, "Infinity"),
    ('{"data": -Infinity}', 400, "Infinity"),
    ('{"data": 1e400}', 400, "range"),
    ('{"data": ' + "9" * 39 + "}", 400, "range"),
    ('{"data": ' + "9" * 5000 + "}", 400, "range"),
    ('{"data": ' + "[" * 40 + "]" * 40 + "}", 400, "nested"),
    ('{"data": ' + "[" * 100000 + "}", 400, "nested"),
    ('{"data": {"": 1}}', 400, "keys must not be empty"),
    ('{"data": "\\ud800"}', 400, "Unicode"),
    ('{"id": "", "data": 1}', 400, "not a valid id"),
    ('{"id": "   ", "data": 1}', 400, "not a valid id"),
    ('{"id": 5, "data": 1}', 400, "string"),
    ('{"id": "' + "x" * 257 + '", "data": 1}', 400, "1-256 characters"),
    ('{"id": "a\\nb", "data": 1}', 400, "not a valid id"),
    ('{"id": "a\\u0000b", "data": 1}', 400, "not a valid id"),
    # Numbers boto3's serializer or Decimal itself refuses: 400, never a 500.
    ('{"data": 1e99999999999999999999}', 400, "range"),
    ('{"data": 1e-99999999999999999999}', 400, "range"),
    ('{"data": 0e999999}', 400, "range"),
    ('{"data": 0e-999999}', 400, "range"),
    ('{"data": 1.0000000000000000000000000000000000001e-130}', 400, "range"),
    ('{"data": 1.000000000000000000000000000000000000000000}', 400, "range"),
    ('{"data": 1e' + "9" * 5000 + "}", 400, "range"),
    ('{"data": [1e126]}', 400, "range"),
    ('{"data": {"v": -1e-131}}', 400, "range"),
]


@pytest.mark.parametrize("body,status,words", BAD_BODIES,
                         ids=[repr(b)[:30] for b, _, _ in BAD_BODIES])
def test_bad_post_bodies(api, body, status, words):
    reply = api.call("POST", "/data", body)
    assert reply.status == status, reply.body
    assert words.lower() in reply.body["error"]["message"].lower()
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert api.call("GET", "/data").body["count"] == 0, "nothing may be stored"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data"])
def test_wrong_content_type_is_415(api, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    reply = api.call("POST", "/data", {"data": 1}, headers=headers)
    assert reply.status == 415 and reply.body["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "APPLICATION/JSON", "application/merge-patch+json"])
def test_json_content_types_are_accepted(api, content_type):
    assert api.call("POST", "/data", {"data": 1},
                    headers={"Content-Type": content_type}).status == 201


def test_null_headers_path_and_query_are_4xx(api):
    event = make_event("POST", "/data", '{"data": 1}', headers=None)
    assert api.send(event).status == 415
    event = make_event("GET", "/data/x")
    event["pathParameters"] = None  # never taken from the path: API Gateway always sets it
    assert api.send(event).status == 400
    event = make_event("GET", "/data", query=None)
    assert api.send(event).status == 200


def test_base64_bodies_are_decoded(api):
    reply = api.call("POST", "/data", json.dumps({"data": "é"}).encode(), headers=JSON)
    assert reply.status == 201 and reply.body["data"] == "é"
    event = make_event("POST", "/data", "@@not base64@@")
    event["isBase64Encoded"] = True
    assert api.send(event).status == 400
    assert api.call("POST", "/data", b"\xff\xfe{", headers=JSON).status == 400


def test_body_over_item_limit_is_413(api):
    reply = api.call("POST", "/data", {"data": "x" * (401 * 1024)})
    assert reply.status == 413 and reply.body["error"]["code"] == "REQUEST_TOO_LARGE"


def test_item_just_under_body_limit_but_over_item_limit_is_413(api):
    # Body under 400 KB, but the stored item (data + metadata) crosses DynamoDB's limit.
    reply = api.call("POST", "/data", {"id": "k" * 256, "data": "x" * (400 * 1024 - 300)})
    assert reply.status == 413


@pytest.mark.parametrize("number", ["0.1", "3.141592653589793238462643383279502884",
                                    "-0.000000000000000000000000000001", "12345678901234567890",
                                    "1e+125", "1E-130", "0", "-7"])
def test_numbers_round_trip_exactly(api, number):
    from decimal import Decimal

    from data_api.handler import handle

    created = api.call("POST", "/data", '{"id": "n", "data": {"v": ' + number + "}}")
    assert created.status == 201
    raw = handle(make_event("GET", "/data/n"), None, lambda _table: api.storage)["body"]
    assert json.loads(raw, parse_float=Decimal)["data"]["v"] == Decimal(number)


def test_float_text_is_returned_as_written(api):
    from data_api.handler import handle

    api.call("POST", "/data", '{"id": "f", "data": [0.1, 2.5, 1e2]}')
    raw = handle(make_event("GET", "/data/f"), None, lambda _table: api.storage)["body"]
    assert '"data":[0.1,2.5,100]' in raw


def test_unicode_round_trips(api):
    data = {"emoji": "🙂", "rtl": "שלום", "cjk": "漢字", "ключ": "значение"}
    created = api.call("POST", "/data", {"id": "unicode", "data": data})
    assert created.status == 201
    assert api.call("GET", "/data/unicode").body["data"] == data


@pytest.mark.parametrize("query,words", [
    ({"limit": ["0"]}, "limit"), ({"limit": ["101"]}, "limit"), ({"limit": ["abc"]}, "limit"),
    ({"limit": ["-1"]}, "limit"), ({"limit": ["²"]}, "limit"), ({"limit": ["5", "6"]}, "twice"),
    ({"next": ["a b"]}, "next"), ({"next": ["%%%"]}, "next"), ({"next": [""]}, "next"),
    ({"limit": ["1" * 4301]}, "limit"), ({"limit": ["0" * 5000 + "5"]}, "limit"),
    ({"next": ["A" * 100_000]}, "next"),
])
def test_bad_list_queries_are_400(api, query, words):
    reply = api.call("GET", "/data", query=query)
    assert reply.status == 400 and words in reply.body["error"]["message"].replace(
        "2 times", "twice")


@pytest.mark.parametrize("if_match", ["abc", "3", '"1', "-1", "W/", '"a" "b"', "",
                                      ", ".join(['"x"'] * 11)])
def test_malformed_if_match_is_400(api, if_match):
    version = api.call("POST", "/data", {"id": "k", "data": 0}).body["version"]
    reply = api.call("PUT", "/data/k", {"data": 1},
                     headers={**JSON, "If-Match": if_match})
    assert reply.status == 400 and reply.body["error"]["code"] == "BAD_REQUEST_PARAMETERS"
    assert api.call("GET", "/data/k").body["version"] == version
