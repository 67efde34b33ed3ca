"""A collection's `data` schema, checked in the function as API Gateway checks its model.

The keywords are exactly the draft-4 subset the generator lets a schema use
(data_api_stack.apigw_schema.check_model: the keywords API Gateway validates and reads as
any draft-4 validator does), with draft 4's meaning: `pattern` is a search, lengths count
code points, `additionalProperties` covers what neither `properties` nor
`patternProperties` names, an integer is a number with no fraction (bodies are parsed into
Decimal, jsonio), `enum` tells `true` from `1`, a pattern's `$` ends the text
(ecma_pattern). The local gateway (localdev.request_checks) reads `pattern` and `enum` the
same way. The schema's numbers are the decimals their JSON text spells (1.1, not the
double nearest it), and bounds and `multipleOf` are computed exactly (EXACT), here and in
the local gateway. Written here rather than taken from a library: jsonschema 4 needs
rpds-py, a compiled wheel with no python3.14 build to package, and fastjsonschema (104 KB,
over the zip's budget) reads a Decimal `5` as no integer under draft 4.
tests/test_collection_schema_agreement.py holds it to the local gateway's jsonschema
verdicts on generated bodies.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, localcontext
from functools import lru_cache
from typing import Any, Iterator, Mapping

MAX_PROBLEMS = 5  # as many as the error message names
# Exact arithmetic for any number DynamoDB stores and any bound a schema gives: the default
# context's 28 digits cannot hold 1E+27 / 0.01 (DivisionImpossible).
EXACT = Context(prec=1000, Emax=999_999, Emin=-999_999)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal, float)) and not isinstance(value, bool)


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return _is_number(value) and Decimal(value) == Decimal(value).to_integral_value()
    return {"object": lambda: isinstance(value, dict),
            "array": lambda: isinstance(value, list),
            "string": lambda: isinstance(value, str),
            "number": lambda: _is_number(value),
            "boolean": lambda: isinstance(value, bool),
            "null": lambda: value is None}[name]()


def _decimal(number: Any) -> Decimal:
    """A number as the decimal it is written as: the schema's numbers are read by
    json.loads, so 1.1 is a double whose shortest spelling is the model's text."""
    return Decimal(str(number)) if isinstance(number, float) else Decimal(number)


def json_equal(one: Any, other: Any) -> bool:
    """JSON equality: booleans are never numbers, 1 equals 1.0."""
    if isinstance(one, bool) or isinstance(other, bool):
        return isinstance(one, bool) and isinstance(other, bool) and one == other
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(json_equal(one[k], other[k]) for k in one)
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(map(json_equal, one, other))
    if _is_number(one) and _is_number(other):
        return _decimal(one) == _decimal(other)
    return type(one) is type(other) and one == other


def ecma_pattern(pattern: str) -> str:
    """`pattern` as Python reads ECMA 262 without flags (draft 4's dialect): an unescaped
    `$` outside a class is the end of the text (Python's also matches before a final
    newline). The generator refuses the shorthand classes that differ otherwise."""
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_pattern(pattern))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def problems(schema: Mapping[str, Any], value: Any, where: str = "data") -> Iterator[str]:
    """Each way `value` breaks `schema`, as `<where>: <what>`."""
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        if not any(_is_type(value, name) for name in names):
            yield f"{where}: {_show(value)} is not of type {' or '.join(names)}"
            return
    if "enum" in schema and not any(json_equal(value, option) for option in schema["enum"]):
        yield f"{where}: {_show(value)} is not one of {_show(schema['enum'])}"
    for sub in schema.get("allOf", ()):
        yield from problems(sub, value, where)
    if "not" in schema and not any(problems(schema["not"], value, where)):
        yield f"{where}: {_show(value)} must not match {_show(schema['not'])}"
    if isinstance(value, str):
        yield from _string(schema, value, where)
    elif _is_number(value):
        yield from _number(schema, Decimal(value), where)
    elif isinstance(value, dict):
        yield from _object(schema, value, where)
    elif isinstance(value, list) and "items" in schema:
        for index, element in enumerate(value):
            yield from problems(schema["items"], element, f"{where}[{index}]")


def _string(schema: Mapping[str, Any], value: str, where: str) -> Iterator[str]:
    if "minLength" in schema and len(value) < schema["minLength"]:
        yield f"{where}: {_show(value)} is shorter than {schema['minLength']} characters"
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        yield f"{where}: {_show(value)} is longer than {schema['maxLength']} characters"
    if "pattern" in schema and not _regex(schema["pattern"]).search(value):
        yield f"{where}: {_show(value)} does not match {schema['pattern']!r}"


def _number(schema: Mapping[str, Any], value: Decimal, where: str) -> Iterator[str]:
    if "minimum" in schema and value < _decimal(schema["minimum"]):
        yield f"{where}: {value} is less than the minimum of {schema['minimum']}"
    if "maximum" in schema and value > _decimal(schema["maximum"]):
        yield f"{where}: {value} is more than the maximum of {schema['maximum']}"
    if "multipleOf" in schema and value % _decimal(schema["multipleOf"]) != 0:
        yield f"{where}: {value} is not a multiple of {schema['multipleOf']}"


def _object(schema: Mapping[str, Any], value: dict, where: str) -> Iterator[str]:
    for name in schema.get("required", ()):
        if name not in value:
            yield f"{where}: {name!r} is a required property"
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        yield f"{where}: has fewer than {schema['minProperties']} properties"
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        yield f"{where}: has more than {schema['maxProperties']} properties"
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extra = schema.get("additionalProperties", True)
    for name, element in value.items():
        inner = f"{where}.{name}"
        if name in properties:
            yield from problems(properties[name], element, inner)
        matched = [sub for pattern, sub in patterns.items() if _regex(pattern).search(name)]
        for sub in matched:
            yield from problems(sub, element, inner)
        if name in properties or matched:
            continue
        if extra is False:
            yield f"{where}: additional property {name!r} is not allowed"
        elif isinstance(extra, dict):
            yield from problems(extra, element, inner)


def first_problems(schema: Mapping[str, Any], value: Any) -> list[str]:
    """Up to MAX_PROBLEMS problems; empty when `value` matches."""
    found = []
    with localcontext(EXACT):
        for problem in problems(schema, value):
            found.append(problem)
            if len(found) == MAX_PROBLEMS:
                break
    return found
