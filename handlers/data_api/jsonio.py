"""JSON in and out, exact for DynamoDB numbers.

In: numbers become Decimal (boto3 rejects float), NaN/Infinity and duplicate keys
are refused, and every value is checked against DynamoDB's limits so a client's
mistake is a 400 here, not a ValidationException (500) from DynamoDB.
Out: Decimal is written as its exact digits, so 0.1 comes back as 0.1.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from data_api.errors import bad_body

MAX_DEPTH = 30  # DynamoDB nests documents at most 32 levels; the item itself uses one
MAX_DIGITS = 38  # DynamoDB number precision
MIN_EXPONENT, MAX_EXPONENT = -130, 125  # DynamoDB: 1E-130 <= |n| < 1E+126


def _reject_constant(name: str) -> Any:
    raise bad_body(f"{name} is not a valid JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise bad_body(f"duplicate key {key!r} in JSON object")
            seen.add(key)
    return result


def parse_json(text: str) -> Any:
    """Parse a request body; any JSON problem is a 400."""
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise bad_body(f"JSON nested too deeply (limit {MAX_DEPTH})") from None
    except ValueError as error:  # JSONDecodeError, and ints beyond Python's digit limit
        if hasattr(error, "status"):
            raise
        raise bad_body(f"invalid JSON: {error}") from None


def _check_number(value: Decimal, where: str) -> None:
    if not value.is_finite():
        raise bad_body(f"{where}: {value} is not a valid number")
    if value.is_zero():
        return
    # Count significant digits exactly: normalize() would round to the context's 28.
    digits = len("".join(map(str, value.as_tuple().digits)).strip("0"))
    magnitude = value.adjusted()
    if digits > MAX_DIGITS or not MIN_EXPONENT <= magnitude <= MAX_EXPONENT:
        raise bad_body(f"{where}: number {value} is outside DynamoDB's range "
                          f"({MAX_DIGITS} significant digits, 1E-130 to 9.99E+125)")


def _check_string(value: str, where: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_body(f"{where}: string is not valid Unicode (lone surrogate)") from None


def check_storable(value: Any, where: str = "data", depth: int = 0) -> None:
    """Raise a 400 if DynamoDB cannot store `value` exactly."""
    if depth > MAX_DEPTH:
        raise bad_body(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, Decimal):
        _check_number(value, where)
    elif isinstance(value, str):
        _check_string(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "":
                raise bad_body(f"{where}: object keys must not be empty")
            _check_string(key, where)
            check_storable(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_storable(item, f"{where}[{index}]", depth + 1)


def _number_text(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:  # an integer: write all its digits
        return str(int(value))
    text = str(value)
    return text if "E" not in text else text.replace("E", "e")


def dumps(value: Any) -> str:
    """json.dumps that writes Decimal exactly (json cannot, and float would round)."""
    parts: list[str] = []
    _write(value, parts.append)
    return "".join(parts)


def _write(value: Any, out: Any) -> None:
    if isinstance(value, Decimal):
        out(_number_text(value))
    elif isinstance(value, dict):
        out("{")
        for index, (key, item) in enumerate(value.items()):
            out(("," if index else "") + json.dumps(str(key)) + ":")
            _write(item, out)
        out("}")
    elif isinstance(value, (list, tuple)):
        out("[")
        for index, item in enumerate(value):
            if index:
                out(",")
            _write(item, out)
        out("]")
    else:
        out(json.dumps(value))

