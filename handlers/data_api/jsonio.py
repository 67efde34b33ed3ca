"""JSON in and out, exact for DynamoDB numbers.

In: numbers become Decimal (boto3 rejects float) without ever going through int
(no digit limit) and without letting Decimal's own errors escape; NaN/Infinity and
duplicate keys are refused; every value is checked with the checks boto3 itself
runs before sending it, so a client's mistake is a 400 here, never an exception
(500) from boto3 or a ValidationException from DynamoDB.
Out: Decimal is written as its exact digits, so 0.1 comes back as 0.1.
"""

from __future__ import annotations

import json
from decimal import Decimal, DecimalException
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from data_api.errors import bad_body

MAX_DEPTH = 30  # DynamoDB nests documents at most 32 levels; the item itself uses one
# DynamoDB's documented number range, "Positive range: 1E-130 to
# 9.9999999999999999999999999999999999999E+125" (Developer Guide, "Supported data types
# and naming rules", Number). boto3's DYNAMODB_CONTEXT (Emin=-128, Emax=126, prec=38)
# lets 1E+126 and exact subnormals such as 1E-131 through, which DynamoDB then refuses
# with a ValidationException, so this range is checked after boto3's own check.
MIN_ADJUSTED, MAX_ADJUSTED = -130, 125
_SERIALIZER = TypeSerializer()


def _reject_constant(name: str) -> Any:
    raise bad_body(f"{name} is not a valid JSON number")


def _number(text: str) -> Decimal:
    """A JSON number's text -> Decimal. Decimal() refuses exponents beyond its own
    limits (1e99999999999999999999) with InvalidOperation, an ArithmeticError that
    json.loads would let escape."""
    try:
        return Decimal(text)
    except DecimalException:
        raise bad_body(f"number {text[:40]}{'...' if len(text) > 40 else ''} is outside "
                       "DynamoDB's range") from None


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
        return json.loads(text, parse_float=_number, parse_int=_number,
                          parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise bad_body(f"JSON nested too deeply (limit {MAX_DEPTH})") from None
    except ValueError as error:  # JSONDecodeError
        raise bad_body(f"invalid JSON: {error}") from None


def check_number(value: Decimal, where: str) -> None:
    """400 unless boto3 would serialize `value` exactly and DynamoDB accepts it.

    boto3's TypeSerializer runs DYNAMODB_CONTEXT.create_decimal with Clamped,
    Inexact, Overflow, Rounded and Underflow trapped (boto3/dynamodb/types.py);
    running that very serializer is the check, so the two cannot disagree.
    """
    if not value.is_finite():
        raise bad_body(f"{where}: {value} is not a valid number")
    try:
        _SERIALIZER.serialize(value)
    except DecimalException as error:
        raise bad_body(f"{where}: number {_short(value)} is outside DynamoDB's range or "
                       f"precision ({type(error).__name__}; at most 38 significant digits, "
                       "magnitude 1E-130 to 9.99E+125)") from None
    if not in_range(value):
        raise bad_body(f"{where}: number {_short(value)} is outside DynamoDB's range "
                       "(1E-130 to 9.99E+125)")


def in_range(value: Decimal) -> bool:
    """Whether a finite number is within DynamoDB's range: 0, or 1E-130 <= |n| < 1E+126."""
    return value.is_zero() or MIN_ADJUSTED <= value.adjusted() <= MAX_ADJUSTED


def _short(value: Decimal) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


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
        check_number(value, where)
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

