"""The `data` the release checks create (and delete again) in a collection with a schema.

The pre-traffic check and `make smoke` write one marked item to every collection; where a
schema constrains `data`, that item must satisfy it, or every release would fail its
checks. A collection's `example` is that data; without one it is derived from the schema
(required fields, each at its lowest allowed value, an expiry far in the future), and
either way checked against the schema with the function's own validator at `sceptre
generate`: a schema no value can be derived for (a `pattern`, say) asks for `example`.
"""

from __future__ import annotations

import json
import math
import time
from decimal import Decimal
from typing import Any, Optional

from data_api import data_schema
from data_api_stack.parsers import ConfigError

# 2100-01-01T00:00:00Z: an expiry the checks' short-lived item never reaches.
FAR_FUTURE = 4_102_444_800
MARK = "smoke-test"


def _first_type(schema: dict[str, Any]) -> str:
    types = schema.get("type")
    if isinstance(types, list):
        return next((t for t in types if t != "null"), "null")
    if types is not None:
        return str(types)
    return "object" if {"properties", "required"} & set(schema) else "string"


def _merged(schema: dict[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", ()):
        for key, value in _merged(part).items():
            if key in ("properties",) and key in merged:
                merged[key] = {**merged[key], **value}
            elif key == "required" and key in merged:
                merged[key] = [*merged[key], *value]
            else:
                merged.setdefault(key, value)
    return merged


def _number(schema: dict[str, Any], integer: bool, far: bool) -> Any:
    low, high = schema.get("minimum"), schema.get("maximum")
    value: float = FAR_FUTURE if far else 0
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    step = schema.get("multipleOf")
    if step:
        value = math.ceil(value / step) * step
    if integer:
        value = math.ceil(value)
    return int(value) if float(value).is_integer() else value


def _value(schema: dict[str, Any], name: Optional[str], ttl: Optional[str]) -> Any:
    schema = _merged(schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = _first_type(schema)
    if kind in ("number", "integer"):
        return _number(schema, kind == "integer", name is not None and name == ttl)
    if kind == "string":
        text = MARK.ljust(schema.get("minLength", 0), "x")
        return text[: schema["maxLength"]] if "maxLength" in schema else text
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        properties = schema.get("properties", {})
        wanted = list(dict.fromkeys([*schema.get("required", ()),
                                     *([ttl] if ttl in properties else [])]))
        extra = [p for p in properties if p not in wanted]
        wanted += extra[: max(0, schema.get("minProperties", 0) - len(wanted))]
        return {key: _value(properties.get(key, {}), key, ttl) for key in wanted}
    return None


def _problems(schema: dict[str, Any], data: Any) -> list[str]:
    """As the function sees it: through JSON, numbers as Decimal."""
    seen = json.loads(json.dumps(data), parse_float=Decimal, parse_int=Decimal)
    return data_schema.first_problems(schema, seen)


def example_data(where: str, schema: Optional[dict[str, Any]], ttl: Optional[str],
                 given: Any = None, has_given: bool = False) -> Any:
    """The release checks' data for this collection (None: any data will do)."""
    if has_given:
        try:
            json.dumps(given, allow_nan=False)
        except (TypeError, ValueError):
            raise ConfigError(f"sceptre_user_data.{where}.example: expected JSON values "
                              f"only, got {given!r}") from None
        problems = _problems(schema, given) if schema is not None else []
        expiry = given.get(ttl) if isinstance(given, dict) and ttl is not None else None
        if isinstance(expiry, (int, float)) and not isinstance(expiry, bool) \
                and expiry <= time.time():
            problems.append(f"{ttl} {expiry} is already past: the item would expire on "
                            "arrival (leave it out, or give a time far ahead)")
        if problems:
            raise ConfigError(f"sceptre_user_data.{where}.example: expected data the "
                              f"collection's schema accepts, got {given!r}: "
                              + "; ".join(problems))
        return given
    if schema is None:
        return None
    derived = _value(schema, None, ttl)
    problems = _problems(schema, derived)
    if problems:
        raise ConfigError(f"sceptre_user_data.{where}: the release checks create one "
                          f"marked item, and no data could be derived from the schema "
                          f"({'; '.join(problems)}): give `example`, a data value the "
                          "schema accepts")
    return derived
