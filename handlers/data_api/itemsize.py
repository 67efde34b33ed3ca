"""An item's size as DynamoDB counts it, so an item over 400 KB is a 413 here.

Rules from the DynamoDB Developer Guide, "DynamoDB item sizes and formats"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
the item's size is the sum of its attribute names' and values' sizes; a string is its
UTF-8 bytes; a number is about 1 byte per two significant digits (leading and
trailing zeros trimmed) + 1 byte; binary is its raw bytes; null and Boolean are 1
byte; a List or Map is 3 bytes + its elements' sizes + 1 byte per element (a Map
element's size includes its name). Nothing in boto3 computes this; JSON's length
does not approximate it (`[1,1,...]` is 2 bytes an element in JSON, 3 in DynamoDB).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's item size limit (names and values together)
_CONTAINER_OVERHEAD, _ELEMENT_OVERHEAD = 3, 1


def _number_size(value: Decimal) -> int:
    digits = "".join(map(str, value.as_tuple().digits)).strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def value_size(value: Any) -> int:
    """Bytes DynamoDB counts for one attribute value (a deserialized Python value)."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, (int, Decimal)):
        return _number_size(Decimal(value))
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, Mapping):
        return _CONTAINER_OVERHEAD + sum(
            _ELEMENT_OVERHEAD + value_size(name) + value_size(item) for name, item in value.items())
    if isinstance(value, (list, tuple)):
        return _CONTAINER_OVERHEAD + sum(_ELEMENT_OVERHEAD + value_size(item) for item in value)
    raise TypeError(f"not a DynamoDB value: {type(value).__name__}")


def item_size(item: Mapping[str, Any]) -> int:
    """Bytes DynamoDB counts for a whole item: each attribute's name + value."""
    return sum(value_size(name) + value_size(value) for name, value in item.items())
