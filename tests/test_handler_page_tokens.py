"""Page tokens as the OpenAPI document describes them: every `next` its schema allows is
answered with a page, every other is a JSON 400 that never reaches DynamoDB, and every
`next` a page returns satisfies the document's response schema."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_api_stack import parse_config
from data_api_stack.openapi import build_openapi
from localdev.request_checks import validator_for
from tests.api_client import ApiClient
from tests.helpers import PROJECT

DOCUMENT = build_openapi(parse_config({**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64
                                       + ".zip"}), [])
NEXT_SCHEMA = next(p["schema"] for p in DOCUMENT["paths"]["/data"]["get"]["parameters"]
                   if p["name"] == "next")
NEXT = validator_for(NEXT_SCHEMA)
PAGE = validator_for({"$ref": "#/components/schemas/Page", "components": DOCUMENT["components"]})
STORED = ["a", "item-1", "item-2", "Z~z", "_x.y", "9" * 256]


def _scans(api: ApiClient) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    api.storage._client.meta.events.register("before-call.dynamodb.Scan",
                                             lambda params, **_: seen.append(params))
    return seen


def _fill(api: ApiClient) -> None:
    for item_id in STORED:
        if api.call("GET", f"/data/{item_id}").status == 404:
            assert api.call("POST", "/data", {"id": item_id, "data": 1}).status == 201


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(token=st.from_regex(NEXT_SCHEMA["pattern"], fullmatch=True) | st.sampled_from(STORED),
       limit=st.integers(1, 3))
def test_any_next_the_schema_allows_is_accepted(api, token, limit):
    _fill(api)
    assert NEXT.is_valid(token)
    reply = api.call("GET", "/data", query={"next": [token], "limit": [str(limit)]})
    assert reply.status == 200, reply.body
    assert PAGE.is_valid(reply.body), reply.body
    assert reply.body["count"] == len(reply.body["items"]) <= limit


@pytest.mark.parametrize("token", [
    "", ".", "..", ".hidden", "a b", "a/b", "a%2Fb", "é", "a\x00b", "a\nb", "x" * 257,
    "x" * 2049, "A" * 100_000, '{"id":"a"}'])
def test_a_token_cannot_reach_past_validation(api, token):
    scans = _scans(api)
    reply = api.call("GET", "/data", query={"next": [token]})
    assert reply.status == 400 and reply.headers["Access-Control-Allow-Origin"] == "*"
    error = reply.body["error"]
    assert error["code"] == "BAD_REQUEST_PARAMETERS"
    assert error["message"].startswith("next ") and "characters from A-Z" in error["message"]
    assert scans == [], "nothing reaches DynamoDB"
    assert not NEXT.is_valid(token), "the document refuses it too"


def test_following_next_lists_every_item_once_in_schema_valid_pages(api):
    _fill(api)
    seen: list[str] = []
    token = None
    while True:
        reply = api.call("GET", "/data", query={"limit": ["2"],
                                                **({"next": [token]} if token else {})})
        assert reply.status == 200 and PAGE.is_valid(reply.body), reply.body
        seen += [item["id"] for item in reply.body["items"]]
        token = reply.body.get("next")
        if token is None:
            break
    assert sorted(seen) == sorted(STORED)


def test_a_next_chosen_by_the_caller_starts_after_that_id(api):
    _fill(api)
    everything = api.call("GET", "/data", query={"limit": ["100"]}).body["items"]
    order = [item["id"] for item in everything]
    rest = api.call("GET", "/data", query={"next": [order[1]], "limit": ["100"]})
    assert [item["id"] for item in rest.body["items"]] == order[2:]
