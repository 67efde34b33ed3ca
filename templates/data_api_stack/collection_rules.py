"""A collection's `schema`, `indexes` and `ttl_attribute`, checked at `sceptre generate`.

    orders:
      schema: {type: object, required: [customer_id], properties: {...}}  # the item's data
      indexes:
        by_customer: {attribute: customer_id}   # GET /orders?customer_id=<value>
      ttl_attribute: expires_at                 # epoch seconds; expired items are gone
      example: {customer_id: c1, total: 0}      # what release checks create (collection_example)

The schema is held to what API Gateway's models validate (apigw_schema.check_model, the
check the contract's own models pass), named by the collection's model. An index or an
expiry reads a top-level field of `data`, mirrored to a top-level attribute of that name
(data_api.mirrors): it may not take a name the API stores or a query parameter the list
reads, and where the schema types the field, the type must be one a key (string, number)
or an expiry (number) can have.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping, Optional

from data_api import contract
from data_api.collection_env import LIST_PARAMETERS, STORED_ATTRIBUTES, Index
from data_api_stack.apigw_schema import DRAFT4, ModelSchemaError, check_model
from data_api_stack.collection_example import example_data
from data_api_stack.parsers import ConfigError, fail, first_clash

RULE_KEYS = ("schema", "indexes", "ttl_attribute", "example")
# DynamoDB index names are 3-255 of [A-Za-z0-9_.-]; ours read like config keys.
INDEX_NAME = re.compile(r"^[a-z][a-z0-9_]{2,62}$")
# A top-level field of `data` that is also an attribute name and a query parameter.
ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
# DynamoDB's default quota of global secondary indexes per table.
MAX_INDEXES = 20
INDEX_TYPES = {"string": "S", "number": "N"}
_KEY_TYPES = {"string": "S", "number": "N", "integer": "N"}


def _schema(where: str, name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise fail(where, "a JSON Schema object (draft 4, API Gateway's subset) of the "
                   "item's data", value)
    try:
        schema = json.loads(json.dumps(value))
    except (TypeError, ValueError):
        raise fail(where, "JSON values only (no dates or other YAML types)", value) from None
    for key in ("$schema", "definitions"):
        if key in schema:
            raise ConfigError(f"sceptre_user_data.{where}.{key}: not allowed: a collection's "
                              "schema is draft 4 and self-contained (write nested schemas "
                              "inline)")
    model = contract.camel_case(name) + "NewItem"
    try:
        check_model(model, {"$schema": DRAFT4, **schema})
    except ModelSchemaError as error:
        raise ConfigError(f"sceptre_user_data.{where}: {error}") from None
    _check_regexes(where, schema)
    return schema


# Classes whose members differ among ECMA 262 (draft 4's dialect, Unicode `\s`), Python
# (Unicode `\d` and `\w`) and Java (ASCII): write the characters meant, like [0-9].
SHORTHAND = re.compile(r"(?<!\\)(?:\\\\)*\\[dDwWsSbB]")
# A backreference in a patternProperties name: the local API's validator joins those
# names into one regex for additionalProperties, which renumbers the groups.
BACKREFERENCE = re.compile(r"(?<!\\)(?:\\\\)*\\[1-9]")


def _check_regexes(where: str, schema: Any, path: str = "") -> None:
    """Refuse regexes API Gateway and the local API could read differently: shorthand
    classes anywhere, and `$` in a patternProperties name (a pattern's `$` is read as
    ECMA 262 reads it on both sides, data_schema.ecma_pattern)."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            _check_regexes(where, item, f"{path}[{index}]")
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        inner = f"{path}.{key}" if path else key
        names = value if key == "patternProperties" and isinstance(value, dict) else {}
        regexes = [value] if key == "pattern" and isinstance(value, str) else list(names)
        for regex in regexes:
            if SHORTHAND.search(regex) or (key == "patternProperties" and (
                    "$" in regex or BACKREFERENCE.search(regex))):
                raise ConfigError(
                    f"sceptre_user_data.{where}.{inner}: regex {regex!r} reads differently "
                    "in API Gateway and the local API: write classes out ([0-9], "
                    "[A-Za-z0-9_], [ \\t\\n\\r]), and no '$' or backreference in a "
                    "patternProperties name")
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            for name, sub in value.items():
                _check_regexes(where, sub, f"{inner}.{name}")
        elif key != "enum":
            _check_regexes(where, value, inner)


def _field_type(schema: Optional[dict[str, Any]], attribute: str) -> Optional[set[str]]:
    """The types the schema allows `data.<attribute>` (None: it does not say)."""
    if schema is None:
        return None
    properties = schema.get("properties") or {}
    if attribute not in properties:
        return None
    types = properties[attribute].get("type")
    if types is None:
        return None
    return set(types if isinstance(types, list) else [types]) - {"null"}


def _attribute(where: str, value: Any, schema: Optional[dict[str, Any]]) -> str:
    if not isinstance(value, str) or not ATTRIBUTE.match(value):
        raise fail(where, "a top-level field name of data (letters, digits, '_'; 1-64)", value)
    if value in STORED_ATTRIBUTES:
        raise fail(where, "a field other than the attributes the API stores on every item ("
                   + ", ".join(STORED_ATTRIBUTES) + "): its mirror would collide", value)
    if value in LIST_PARAMETERS:
        raise fail(where, "a field other than the list's own query parameters ("
                   + ", ".join(LIST_PARAMETERS) + ")", value)
    if schema is not None and schema.get("additionalProperties") is False \
            and value not in (schema.get("properties") or {}):
        raise fail(where, "a field the schema allows (its additionalProperties is false)", value)
    if schema is not None and "type" in schema and "object" not in (
            schema["type"] if isinstance(schema["type"], list) else [schema["type"]]):
        raise fail(where, "no field: the schema's data is not an object", value)
    return value


def _index(where: str, name: Any, entry: Any, schema: Optional[dict[str, Any]]) -> Index:
    if not isinstance(name, str) or not INDEX_NAME.match(name):
        raise fail(where, "index names of 3-63 lower-case letters, digits and '_', starting "
                   "with a letter (like by_customer)", name)
    where = f"{where}.{name}"
    if not isinstance(entry, Mapping) or set(entry) - {"attribute", "type"} \
            or "attribute" not in entry:
        raise fail(where, "a mapping with attribute and optionally type (string or number), "
                   "like {attribute: customer_id}", entry)
    attribute = _attribute(f"{where}.attribute", entry["attribute"], schema)
    given = entry.get("type")
    if given is not None and (not isinstance(given, str) or given not in INDEX_TYPES):
        raise fail(f"{where}.type", "string or number", given)
    typed = _field_type(schema, attribute)
    if typed is not None:
        kinds = {_KEY_TYPES.get(t) for t in typed}
        if len(kinds) != 1 or None in kinds:
            raise fail(f"{where}.attribute", f"a field the schema types as a string or a "
                       f"number (an index key is one of them); the schema has "
                       f"{sorted(typed)} for", attribute)
        key_type = kinds.pop()
        if given is not None and INDEX_TYPES[given] != key_type:
            raise fail(f"{where}.type", f"the schema's type of {attribute!r} "
                       f"({sorted(typed)})", given)
        return Index(name, attribute, str(key_type))
    return Index(name, attribute, INDEX_TYPES[given or "string"])


def _indexes(where: str, value: Any, schema: Optional[dict[str, Any]]) -> tuple[Index, ...]:
    if not isinstance(value, Mapping) or not value:
        raise fail(where, "a mapping of index name -> {attribute: <field of data>}", value)
    if len(value) > MAX_INDEXES:
        raise fail(where, f"at most {MAX_INDEXES} indexes (DynamoDB's global secondary "
                   "indexes per table)", f"{len(value)} indexes")
    indexes = tuple(_index(where, name, entry, schema) for name, entry in value.items())
    clash = first_clash((index.attribute, index.name) for index in indexes)
    if clash:
        attribute, other, name = clash
        raise fail(f"{where}.{name}.attribute", f"an attribute no other index reads "
                   f"({other!r} does)", attribute)
    return indexes


def _ttl(where: str, value: Any, schema: Optional[dict[str, Any]],
         indexes: tuple[Index, ...]) -> str:
    attribute = _attribute(where, value, schema)
    typed = _field_type(schema, attribute)
    if typed is not None and not typed <= {"number", "integer"}:
        raise fail(where, f"a field the schema types as a number or integer (epoch seconds); "
                   f"the schema has {sorted(typed)} for", attribute)
    for index in indexes:
        if index.attribute == attribute and index.key_type != "N":
            raise fail(where, f"a number field; index {index.name!r} reads it as a string",
                       attribute)
    return attribute


def parse_rules(where: str, name: str, entry: Mapping[str, Any]
                ) -> tuple[Optional[dict[str, Any]], tuple[Index, ...], Optional[str], Any]:
    """(schema, indexes, ttl attribute, the release checks' data) of one collection's
    config entry."""
    schema = _schema(f"{where}.schema", name, entry["schema"]) if "schema" in entry else None
    indexes = _indexes(f"{where}.indexes", entry["indexes"], schema) \
        if "indexes" in entry else ()
    ttl = _ttl(f"{where}.ttl_attribute", entry["ttl_attribute"], schema, indexes) \
        if "ttl_attribute" in entry else None
    example = example_data(where, schema, ttl, entry.get("example"), "example" in entry)
    return schema, indexes, ttl, example
