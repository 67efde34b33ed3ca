"""POST with an `Idempotency-Key` (IETF draft "The Idempotency-Key HTTP Header Field"):
a retry gets the first answer, never a second item (README "Retries without doubles").

A key is scoped to its caller and its collection: its record, in the stack's idempotency
table, is keyed by a hash of the three. The record is written in the same DynamoDB
transaction as the item (storage.Storage.create), so there is never an item without its
record nor a record without its item: a function that dies, times out or loses its
answer after the write leaves a committed record a retry replays, and one that dies
before it leaves nothing, so a retry simply creates the item. A record holds the first
answer (the item's id and the item, compressed: its 201, ETag and Location follow from
them), a fingerprint of the request
(a different body with the same key is 422) and its expiry, 24 hours on, which DynamoDB's
TTL deletes; until then a record past its expiry counts as absent.

Two retries racing each other are serialised by DynamoDB: one transaction commits, the
other's condition on the record fails and it replays the committed answer; when DynamoDB
reports them colliding (TransactionConflict) the later is told to retry (409, Retry-After).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import zlib
from decimal import Decimal
from typing import Any, Optional

from data_api import errors, jsonio
from data_api.errors import ApiError, bad_parameter
from data_api.itemsize import MAX_ITEM_BYTES, item_size

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"  # "true" on an answer replayed from a record
ENV_TABLE = "IDEMPOTENCY_TABLE"
EXPIRY_SECONDS = 24 * 60 * 60
MAX_KEY_LENGTH = 255
RETRY_AFTER_SECONDS = "1"
# The record's attributes; EXPIRES is the table's TTL attribute (the template reads it).
KEY, FINGERPRINT, EXPIRES = "key", "fingerprint", "expires_at"
BODY, ITEM_ID = "body", "item_id"
# The header's value is a Structured Field String (RFC 8941: printable ASCII in double
# quotes, `\"` and `\\` escaped); a bare token of printable ASCII is taken as is.
_QUOTED_CHAR = r'(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])'
_BARE_CHAR = r"[\x21\x23-\x7e]"
_KEY = (rf'[ \t]*(?:"({_QUOTED_CHAR}{{1,{MAX_KEY_LENGTH}}})"'
        rf"|({_BARE_CHAR}{{1,{MAX_KEY_LENGTH}}}))[ \t]*")
PATTERN = f"^{_KEY}$"  # the contract's (JSON Schema, ECMA-262 syntax alike)
RULE = (f"1 to {MAX_KEY_LENGTH} printable ASCII characters, as a quoted string "
        '("8e03978e-40d5-43e8-bc93-6894a57f9324") or bare')


def requested_key(value: Optional[str]) -> Optional[str]:
    """The request's key from the header's value, None without one; a malformed one is a
    400 naming the rule."""
    if value is None:
        return None
    found = re.fullmatch(_KEY, value)
    if found is None:
        raise bad_parameter(f"{HEADER} must be {RULE}")
    quoted, bare = found.groups()
    return re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare


def table() -> str:
    """The stack's idempotency table (the template sets it)."""
    name = os.environ.get(ENV_TABLE)
    if not name:
        raise RuntimeError(f"{ENV_TABLE} is not set: the function's environment lacks the "
                           "idempotency table")
    return name


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def scope(principal: str, collection: str, key: str) -> str:
    """The record's key: this caller's key on this collection, and no one else's."""
    return _digest("v1", principal, collection, key)


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _canonical(value[name]) for name in sorted(value)}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, Decimal):
        return value.normalize()  # 1, 1.0 and 1e0 alike, as DynamoDB stores them
    return value


def fingerprint(item_id: Optional[str], data: Any) -> str:
    """The request as parsed: the same id and data (members in any order, numbers by
    value) give the same fingerprint, whatever the whitespace."""
    return _digest(jsonio.dumps({"id": item_id, "data": _canonical(data)}))


def record(key: str, request: str, item: dict[str, Any]) -> dict[str, Any]:
    """The record of a created item (deserialized values): its id (the replay's Location is
    built for the path the retry came in on) and the item (its ETag is its version's). An
    item that does not fit a DynamoDB item even compressed is kept by id only: its replay
    reads the item as it is now."""
    stored = {KEY: key, FINGERPRINT: request, EXPIRES: int(time.time()) + EXPIRY_SECONDS,
              ITEM_ID: item["id"]}
    packed = {**stored, BODY: zlib.compress(jsonio.dumps(item).encode("utf-8",
                                                                       "surrogatepass"))}
    return packed if item_size(packed) <= MAX_ITEM_BYTES else stored


class Replay:
    """A committed record, as read back: what to answer a retry."""

    def __init__(self, attributes: dict[str, Any]) -> None:
        self.fingerprint = str(attributes.get(FINGERPRINT, ""))
        self.item_id = str(attributes.get(ITEM_ID, ""))
        packed = attributes.get(BODY)
        self.body: Optional[Any] = (jsonio.parse_json(
            zlib.decompress(bytes(packed)).decode("utf-8", "surrogatepass"))
            if packed is not None else None)

    def check(self, request: str) -> None:
        """422 unless the retry is the same request as the first."""
        if request != self.fingerprint:
            raise ApiError(422, errors.IDEMPOTENCY_KEY_REUSED,
                           f"this {HEADER} was used with a different request in the last 24 "
                           "hours; send a new key for a new request")


def in_progress() -> ApiError:
    return ApiError(409, errors.REQUEST_IN_PROGRESS,
                    f"a request with this {HEADER} is in progress; retry in "
                    f"{RETRY_AFTER_SECONDS} s to get its answer",
                    {"Retry-After": RETRY_AFTER_SECONDS})
