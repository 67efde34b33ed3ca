"""Index queries: `GET <path>?<attribute>=<value>` on a collection with indexes.

The value is read as the index's key type (collection_env.Index): a text of 1-512
characters, or a JSON number in DynamoDB's range. A number with more digits than DynamoDB
keeps is never stored, so its page is empty rather than an error; what the contract
refuses is a 400 naming the parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from data_api import jsonio
from data_api.collection_env import Index, Settings
from data_api.data_schema import EXACT
from data_api.errors import ApiError, bad_parameter
from data_api.mirrors import MAX_KEY_BYTES
from data_api.validation import query_value

# A text query's longest value in characters: any such text fits DynamoDB's key limit
# (4 UTF-8 bytes a character at most) and, percent-encoded (12 bytes a character at
# most), API Gateway's 10,240 bytes for the request line and headers.
MAX_QUERY_TEXT = MAX_KEY_BYTES // 4
# JSON's number syntax, bounded so Decimal never reads thousands of digits.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,99})(?:\.[0-9]{1,100})?(?:[eE][+-]?[0-9]{1,4})?")


@dataclass(frozen=True)
class Query:
    """GET <path>?<attribute>=<value>: the items whose data.<attribute> is the value."""

    index: Index
    value: Any  # str, or Decimal for a number index; None: no stored key can equal it

    @property
    def tag(self) -> tuple[str, Any]:
        """What tells this query's page tokens from another's (tokens)."""
        return self.index.name, self.value


def key_value(index: Index, raw: str) -> Any:
    """A query parameter's text as the index's key, None when no stored key can equal it
    (a number of more digits than DynamoDB keeps: the page is empty); a 400 naming the
    parameter for what the contract refuses (an empty or overlong text, no number, one
    out of DynamoDB's range)."""
    name = index.attribute
    if index.key_type == "S":
        if not 1 <= len(raw) <= MAX_QUERY_TEXT:
            raise bad_parameter(f"query parameter {name!r} must be 1-{MAX_QUERY_TEXT} "
                                "characters")
        return raw
    if not _NUMBER.fullmatch(raw):
        raise bad_parameter(f"query parameter {name!r} must be a number, got "
                            f"{raw[:20]!r}{'...' if len(raw) > 20 else ''}")
    # Exactly (the default context would round past 28 digits); -0 is 0.
    value = EXACT.normalize(Decimal(raw))
    value = Decimal(0) if value.is_zero() else value
    if not jsonio.in_range(value):
        raise bad_parameter(f"query parameter {name!r} is outside DynamoDB's number range "
                            "(1E-130 <= |n| < 1E+126, or 0)")
    try:
        jsonio.check_number(value, name)
    except ApiError:
        return None  # more significant digits than DynamoDB stores
    return value


def parse(event: dict, settings: Optional[Settings]) -> Optional[Query]:
    """The index query a list request asks for, if any: at most one index at a time."""
    if settings is None or not settings.indexes:
        return None
    asked = [(index, query_value(event, index.attribute)) for index in settings.indexes]
    given = [(index, raw) for index, raw in asked if raw is not None]
    if len(given) > 1:
        raise bad_parameter("query one index at a time: give only one of "
                            + ", ".join(repr(index.attribute) for index, _ in given))
    if not given:
        return None
    index, raw = given[0]
    return Query(index, key_value(index, raw))
