"""The handler's own validation agrees with the contract's schemas (Hypothesis).

Soundness everywhere: whatever a schema rejects, the handler rejects too (with the same
400 code API Gateway's validator would give), so putting the gateway in front changes
no verdict. Completeness where draft 4 can say the rule: whatever the handler rejects,
the schema rejects, except nesting deeper than jsonio.MAX_DEPTH and numbers written with
more digits than DynamoDB's 38 (both unexpressible in draft 4; the handler answers 400).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import DYNAMODB_CONTEXT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_api import contract, errors, jsonio, tokens, validation
from data_api.errors import ApiError
from localdev.request_checks import validator_for
from tests.api_client import make_event
from tests.helpers import json_depth, json_digits

# (method, path, the operation's model): what validation.create / .replace read.
OPERATIONS = [("POST", "/data", contract.NEW_ITEM), ("PUT", "/data/k", contract.ITEM_CHANGE)]
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Numbers with at most 15 significant digits, exponents around DynamoDB's limits: a
# double holds them exactly, so the schema's bounds (the nearest doubles) decide them
# as DynamoDB's exact bounds do.
numbers = st.builds(lambda digits, exponent, sign: Decimal(f"{sign}{digits}E{exponent}"),
                    st.integers(0, 10**15 - 1), st.integers(-150, 140), st.sampled_from("+-"))
scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | numbers
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=4), inner, max_size=4), max_leaves=12)
ids = (st.text(max_size=6) | st.from_regex(r"\A[A-Za-z0-9._~-]{1,8}\Z") | st.integers()
       | st.integers(250, 260).map(lambda n: "a" * n))
bodies = (st.fixed_dictionaries({}, optional={"id": ids, "data": values,
                                              "extra": values}) | values)


def _text(value: Any) -> str:
    """JSON with Decimals written exactly."""
    return jsonio.dumps(value)


def _schema_accepts(validator: Any, text: str) -> bool:
    instance = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    return validator.is_valid(instance)


def _handler_verdict(method: str, path: str, text: str) -> ApiError | None:
    read = validation.create if method == "POST" else validation.replace
    try:
        read(make_event(method, path, text))
    except ApiError as error:
        return error
    return None


def _parameter_accepted(read: Any, event: dict) -> bool:
    """Whether the handler's reader takes the event; a refusal is BAD_REQUEST_PARAMETERS."""
    try:
        read(event)
    except ApiError as error:
        assert error.code == errors.BAD_REQUEST_PARAMETERS, error.message
        return False
    return True


@pytest.mark.parametrize("method, path, schema", OPERATIONS)
@SETTINGS
@given(body=bodies)
def test_bodies_schema_and_handler_agree(method: str, path: str, schema: dict,
                                         body: Any) -> None:
    text = _text(body)
    schema_ok = _schema_accepts(validator_for(schema), text)
    refusal = _handler_verdict(method, path, text)
    if not schema_ok:
        assert refusal is not None and refusal.status == 400, (text, refusal)
        assert refusal.code == errors.BAD_REQUEST_BODY, (text, refusal.code)
    elif refusal is not None:  # only what draft 4 cannot say
        assert json_depth(body) > jsonio.MAX_DEPTH or json_digits(text) > DYNAMODB_CONTEXT.prec, \
            (text, refusal.message)


def test_deep_nesting_is_the_handlers_alone() -> None:
    body = {"data": [[[]]]}
    for _ in range(jsonio.MAX_DEPTH):
        body["data"] = [body["data"]]
    text = _text(body)
    assert _schema_accepts(validator_for(contract.NEW_ITEM), text)
    assert _handler_verdict("POST", "/data", text) is not None


@SETTINGS
@given(st.text(max_size=20) | st.from_regex(r"\A[A-Za-z0-9._~%-]{1,10}\Z")
       | st.integers(250, 260).map(lambda n: "b" * n))
def test_path_ids_schema_and_handler_agree(value: str) -> None:
    event = make_event("GET", "/data/x") | {"pathParameters": {"id": value}}
    assert _parameter_accepted(validation.path_id, event) == \
        validator_for(contract.ID).is_valid(value), value


@SETTINGS
@given(st.lists(st.from_regex(r'\A\s?(W/)?"[0-9a-f*-]{0,6}"?\s?\Z'), max_size=12).map(",".join)
       | st.from_regex(r'\A\s*\*?\s*,?\Z') | st.text(max_size=12))
def test_if_match_pattern_and_handler_agree(value: str) -> None:
    event = make_event("DELETE", "/data/x", headers={"If-Match": value})
    assert _parameter_accepted(validation.if_match, event) == \
        (re.search(contract.IF_MATCH_PATTERN, value) is not None), value


@SETTINGS
@given(st.integers(-5, validation.MAX_LIMIT + 5).map(str) | st.text(max_size=4))
def test_limit_schema_and_handler_agree(value: str) -> None:
    digits = value.isascii() and value.isdigit()
    if digits and value != str(int(value)):
        return  # zero-padded: no client writes an OpenAPI integer so
    schema_ok = digits and validator_for(contract.LIMIT.schema).is_valid(int(value))
    event = make_event("GET", "/data", query={"limit": [value]})
    assert _parameter_accepted(validation.list_page, event) == schema_ok, value


def _page_token(event: dict) -> str:
    """The page token as the handler reads it, before any DynamoDB call."""
    token = validation.list_page(event).token
    return tokens.decode(token) if token is not None else ""


@SETTINGS
@given(st.text(max_size=20) | st.from_regex(r"\A[A-Za-z0-9._~%-]{1,10}\Z")
       | st.integers(250, 260).map(lambda n: "n" * n))
def test_next_schema_and_handler_agree(value: str) -> None:
    event = make_event("GET", "/data", query={"next": [value]})
    assert _parameter_accepted(_page_token, event) == \
        validator_for(contract.NEXT.schema).is_valid(value), value
