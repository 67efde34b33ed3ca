"""Top-level mirrors of `data` fields: what DynamoDB's index keys and TTL can read.

DynamoDB keys and TTL read top-level attributes only, so a collection's index and expiry
fields are copied out of `data` on every write (storage) and hidden on every read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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


# Of an item with an expiry attribute: a number of epoch seconds now or past is expired
# (DynamoDB's TTL reads numbers only; any other value never expires).
LIVE = "(attribute_not_exists(#ttl) OR NOT attribute_type(#ttl, :ttl_type) OR #ttl > :ttl_now)"
EXPIRED = "(attribute_type(#ttl, :ttl_type) AND #ttl <= :ttl_now)"
