"""Top-level mirrors of `data` fields: what DynamoDB's index keys and TTL can read.

DynamoDB keys and TTL read top-level attributes only, so a collection's index and expiry
fields are copied out of `data` on every write (storage) and hidden on every read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeSerializer

_serializer = TypeSerializer()

# DynamoDB's limit on a global secondary index's string key, in UTF-8 bytes.
MAX_KEY_BYTES = 2048


def mirror_value(key_type: str, value: Any) -> Any:
    """The top-level copy of a `data` field, or None when it cannot be one."""
    if key_type == "N":
        return value if isinstance(value, (int, Decimal)) and not isinstance(value, bool) \
            else None
    if isinstance(value, str) and value and \
            len(value.encode("utf-8", "surrogatepass")) <= MAX_KEY_BYTES:
        return value
    return None


def mirrors_of(mirrors: dict[str, str], data: Any) -> dict[str, Any]:
    """Each mirrored field of `data` that can be copied, by attribute name."""
    if not isinstance(data, dict):
        return {}
    found = {name: mirror_value(key_type, data.get(name)) for name, key_type in mirrors.items()}
    return {name: value for name, value in found.items() if value is not None}


@dataclass(frozen=True)
class MirrorUpdate:
    """An UpdateExpression's clauses that make an item's mirrors what its data calls for:
    `SET` those it has, `REMOVE` the others, with their names and values."""

    setting: list[str]
    removing: list[str]
    names: dict[str, str]
    values: dict[str, Any]


def mirror_update(mirrors: dict[str, str], data: Any) -> MirrorUpdate:
    """The mirrors of `data` (mirrors_of), as update clauses (#m<n>, :m<n>)."""
    wanted = mirrors_of(mirrors, data)
    names = {f"#m{i}": name for i, name in enumerate(mirrors)}
    return MirrorUpdate(
        setting=[f"{alias} = :m{alias[2:]}" for alias, name in names.items() if name in wanted],
        removing=[alias for alias, name in names.items() if name not in wanted],
        names=names,
        values={f":m{alias[2:]}": _serializer.serialize(wanted[name])
                for alias, name in names.items() if name in wanted})


# Of an item with an expiry attribute: a number of epoch seconds now or past is expired
# (DynamoDB's TTL reads numbers only; any other value never expires). `expired` says it in
# Python, LIVE and EXPIRED as DynamoDB conditions (with :ttl_now = now()).
LIVE = "(attribute_not_exists(#ttl) OR NOT attribute_type(#ttl, :ttl_type) OR #ttl > :ttl_now)"
EXPIRED = "(attribute_type(#ttl, :ttl_type) AND #ttl <= :ttl_now)"


def now() -> int:
    """The current time as expiries are written: whole epoch seconds."""
    return int(time.time())


def expired(seconds: Any) -> bool:
    """Whether an expiry value (a mirror's) is now or past."""
    return isinstance(seconds, (int, Decimal)) and not isinstance(seconds, bool) \
        and seconds <= now()
