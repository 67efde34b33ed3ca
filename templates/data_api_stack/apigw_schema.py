"""Refuse, at render time, JSON Schema that API Gateway's request models ignore or reject.

API Gateway validates bodies with JSON Schema draft 4 and documents exceptions
(developer guide, "Amazon API Gateway important notes" for REST APIs, and "Data models"):
no `oneOf`/`anyOf`/`discriminator`/`example`/`readOnly`/`exclusiveMinimum`, `minItems`
and `maxItems` not validated; a model with `"required": []` is refused on create ("Invalid
model schema specified", aws-cdk issue 27433). On top of that we refuse what would let the
local API (Python's draft-4 validator) and API Gateway's disagree: `format` (optional in
draft 4, so validators differ), `$ref` outside the model's own `definitions`, regex syntax
that Python and ECMA 262 read differently, and every keyword not listed here.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

DRAFT4 = "http://json-schema.org/draft-04/schema#"
MODEL_NAME = re.compile(r"^[A-Za-z0-9]+$")  # API Gateway: alphanumeric model names
TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
ANNOTATIONS = frozenset({"title", "description", "default"})
KEYWORDS = ANNOTATIONS | frozenset({
    "type", "properties", "required", "additionalProperties", "patternProperties", "items",
    "$ref", "pattern", "minLength", "maxLength", "minimum", "maximum", "multipleOf", "enum",
    "not", "allOf", "minProperties", "maxProperties"})
REFUSED = {
    "oneOf": "API Gateway models do not support oneOf",
    "anyOf": "API Gateway models do not support anyOf",
    "discriminator": "not supported in any API Gateway schema object",
    "example": "API Gateway models do not support example",
    "readOnly": "API Gateway models do not support readOnly",
    "exclusiveMinimum": "API Gateway does not support exclusiveMinimum",
    "exclusiveMaximum": "refused with exclusiveMinimum: use an inclusive bound",
    "minItems": "API Gateway's validation ignores minItems",
    "maxItems": "API Gateway's validation ignores maxItems",
    "format": "format checks are optional in draft 4: API Gateway and the local API differ",
    "nullable": "OpenAPI 3.0 only, not JSON Schema",
}
# Regex syntax outside ECMA 262 (what API Gateway's validator runs) or read differently.
PYTHON_ONLY_REGEX = re.compile(r"\(\?(?![:=!])|\\[AZz]")


class ModelSchemaError(ValueError):
    """A model's schema uses something API Gateway would ignore or reject."""


def _fail(model: str, where: str, problem: str) -> ModelSchemaError:
    return ModelSchemaError(f"model {model}: {where or '(root)'}: {problem}")


def check_model(name: str, schema: dict[str, Any]) -> None:
    """Raise ModelSchemaError naming the model, the JSON path and the problem."""
    if not MODEL_NAME.match(name):
        raise _fail(name, "", "model names must be alphanumeric")
    if schema.get("$schema") != DRAFT4:
        raise _fail(name, "$schema", f"must be {DRAFT4!r} (API Gateway speaks draft 4)")
    definitions = schema.get("definitions", {})
    if not isinstance(definitions, dict):
        raise _fail(name, "definitions", "must be an object")
    root = {k: v for k, v in schema.items() if k not in ("$schema", "definitions")}
    _check(name, "", root, set(definitions))
    for key, value in definitions.items():
        _check(name, f"definitions.{key}", value, set(definitions))


def _check(model: str, where: str, schema: Any, definitions: set[str]) -> None:
    if not isinstance(schema, dict):
        raise _fail(model, where, "a schema must be an object")
    for keyword, value in schema.items():
        path = f"{where}.{keyword}" if where else keyword
        if keyword in REFUSED:
            raise _fail(model, path, REFUSED[keyword])
        if keyword not in KEYWORDS:
            raise _fail(model, path, "not a draft-4 keyword API Gateway documents")
        _check_keyword(model, path, keyword, value, definitions)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


# What each keyword's value must be (draft 4), beyond what _check_keyword checks.
_COUNTS = frozenset({"minLength", "maxLength", "minProperties", "maxProperties"})
_MAPS = frozenset({"properties", "patternProperties"})


def _check_value(model: str, path: str, keyword: str, value: Any) -> None:
    if keyword in _COUNTS and not (isinstance(value, int) and not isinstance(value, bool)
                                   and value >= 0):
        raise _fail(model, path, f"must be a whole number >= 0, got {value!r}")
    if keyword in ("minimum", "maximum") and not _is_number(value):
        raise _fail(model, path, f"must be a finite number, got {value!r}")
    if keyword == "multipleOf" and not (_is_number(value) and value > 0):
        raise _fail(model, path, f"must be a number > 0, got {value!r}")
    if keyword in _MAPS and not (isinstance(value, dict)
                                 and all(isinstance(k, str) for k in value)):
        raise _fail(model, path, f"must be an object of name -> schema, got {value!r}")
    if keyword in ("enum", "allOf") and not (isinstance(value, list) and value):
        raise _fail(model, path, f"must be a non-empty list, got {value!r}")
    if keyword == "additionalProperties" and not isinstance(value, (bool, dict)):
        raise _fail(model, path, f"must be true, false or a schema, got {value!r}")
    if keyword in ("title", "description") and not isinstance(value, str):
        raise _fail(model, path, f"must be a string, got {value!r}")
    if keyword == "enum":
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise _fail(model, path, f"must hold JSON values only, got {value!r}") from None


def _check_keyword(model: str, path: str, keyword: str, value: Any,
                   definitions: set[str]) -> None:
    _check_value(model, path, keyword, value)
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        if not names or not all(isinstance(name, str) and name in TYPES for name in names) \
                or len(set(names)) != len(names):
            raise _fail(model, path, f"types must be distinct names among {sorted(TYPES)}, "
                                     f"got {value!r}")
    elif keyword == "required":
        if not isinstance(value, list) or not value or \
                not all(isinstance(name, str) for name in value) or \
                len(set(value)) != len(value):
            raise _fail(model, path, "must be a non-empty list of distinct names "
                                     "(API Gateway refuses an empty one)")
    elif keyword == "$ref":
        target = str(value).removeprefix("#/definitions/")
        if target == value or target not in definitions:
            raise _fail(model, path, f"only #/definitions/<name> of this model, got {value!r}")
    elif keyword == "pattern":
        if not isinstance(value, str):
            raise _fail(model, path, f"must be a regular expression (a string), got {value!r}")
        if PYTHON_ONLY_REGEX.search(value):
            raise _fail(model, path, f"regex {value!r} uses syntax ECMA 262 lacks")
        try:
            re.compile(value)
        except re.error as error:
            raise _fail(model, path, f"regex {value!r} does not compile: {error}") from None
    elif keyword == "additionalProperties" and not isinstance(value, bool):
        _check(model, path, value, definitions)
    elif keyword in ("properties", "patternProperties"):
        for key, sub in value.items():
            if keyword == "patternProperties":
                _check_keyword(model, f"{path}.{key}", "pattern", key, definitions)
            _check(model, f"{path}.{key}", sub, definitions)
    elif keyword in ("items", "not"):
        _check(model, path, value, definitions)
    elif keyword == "allOf":
        for index, sub in enumerate(value):
            _check(model, f"{path}[{index}]", sub, definitions)
