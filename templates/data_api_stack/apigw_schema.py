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


def _check_keyword(model: str, path: str, keyword: str, value: Any,
                   definitions: set[str]) -> None:
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        if not names or any(name not in TYPES for name in names):
            raise _fail(model, path, f"types must be among {sorted(TYPES)}, got {value!r}")
    elif keyword == "required":
        if not isinstance(value, list) or not value or len(set(value)) != len(value):
            raise _fail(model, path, "must be a non-empty list of distinct names "
                                     "(API Gateway refuses an empty one)")
    elif keyword == "$ref":
        target = str(value).removeprefix("#/definitions/")
        if target == value or target not in definitions:
            raise _fail(model, path, f"only #/definitions/<name> of this model, got {value!r}")
    elif keyword == "pattern":
        if PYTHON_ONLY_REGEX.search(value):
            raise _fail(model, path, f"regex {value!r} uses syntax ECMA 262 lacks")
        re.compile(value)
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
