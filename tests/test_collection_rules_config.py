"""A collection's `schema`, `indexes` and `ttl_attribute`: each mistake is one line at
`sceptre generate` naming the key, the value and why, before anything reaches AWS."""

from __future__ import annotations

import json

import pytest

from data_api_stack import ConfigError, build_template, parse_config
from tests.helpers import ORDERS_SCHEMA, PROJECT

GOOD = {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"}
TYPED = {"type": "object", "properties": {"flag": {"type": "boolean"},
                                          "name": {"type": "string"},
                                          "count": {"type": "integer"},
                                          "either": {"type": ["string", "number"]},
                                          "maybe": {"type": ["string", "null"]}}}


def _orders(**rules):
    return {"orders": {"billing": "on_demand", **rules}}


BAD_RULES = [
    # (orders' rules, what the message must name)
    # The schema: API Gateway's draft-4 subset, as the project's own models are held.
    ({"schema": ["object"]}, ["collections.orders.schema", "['object']"]),
    ({"schema": {"type": "object", "properties": {"total": {"exclusiveMinimum": True}}}},
     ["collections.orders.schema", "OrdersNewItem", "properties.total.exclusiveMinimum",
      "API Gateway"]),
    ({"schema": {"oneOf": [{"type": "string"}]}}, ["OrdersNewItem", "oneOf"]),
    ({"schema": {"type": "object", "properties": {"at": {"format": "date-time"}}}},
     ["properties.at.format", "format"]),
    ({"schema": {"type": "objects"}}, ["OrdersNewItem", "type", "'objects'"]),
    ({"schema": {"required": []}}, ["OrdersNewItem", "required"]),
    ({"schema": {"type": "string", "pattern": "(?i)abc"}}, ["pattern", "ECMA 262"]),
    ({"schema": {"$ref": "#/definitions/Value"}}, ["OrdersNewItem", "$ref"]),
    ({"schema": {"$schema": "http://json-schema.org/draft-07/schema#"}},
     ["collections.orders.schema.$schema"]),
    ({"schema": {"definitions": {"x": {}}}}, ["collections.orders.schema.definitions"]),
    ({"schema": {"typo_keyword": 1}}, ["typo_keyword", "draft-4 keyword"]),
    # Keyword values of the wrong kind: named errors, never a traceback.
    *[({"schema": schema}, ["collections.orders.schema", "OrdersNewItem", where])
      for schema, where in (
          ({"properties": ["a"]}, "properties"), ({"properties": 5}, "properties"),
          ({"pattern": 5}, "pattern"), ({"pattern": "("}, "does not compile"),
          ({"patternProperties": {"(": {}}}, "patternProperties.("),
          ({"allOf": 5}, "allOf"), ({"minLength": "x"}, "minLength"), ({"enum": 5}, "enum"),
          ({"required": [[1]]}, "required"), ({"type": [["a"]]}, "type"),
          ({"type": ["string", "string"]}, "distinct"),
          ({"properties": {"a": {"type": {"x": 1}}}}, "properties.a.type"),
          ({"minimum": "abc"}, "minimum"), ({"minimum": True}, "minimum"),
          ({"maximum": float("nan")}, "maximum"), ({"multipleOf": 0}, "multipleOf"),
          ({"additionalProperties": "no"}, "additionalProperties"))],
    ({"indexes": {"by_a": {"attribute": "a", "type": ["x"]}}}, ["indexes.by_a.type", "['x']"]),
    # Regexes read differently by ECMA 262, Python and Java engines.
    *[({"schema": schema, "example": "x"}, ["collections.orders.schema." + where,
                                           "reads differently"])
      for schema, where in (({"pattern": "^\\d{3}$"}, "pattern"),
                            ({"properties": {"a": {"pattern": "\\w+"}}}, "properties.a.pattern"),
                            ({"pattern": "a\\sb"}, "pattern"),
                            ({"patternProperties": {"^x$": {}}}, "patternProperties"),
                            ({"patternProperties": {"^(a)\\1": {}}}, "patternProperties"))],
    # Indexes.
    ({"indexes": {"by_x": "x"}}, ["collections.orders.indexes.by_x", "'x'"]),
    ({"indexes": {"by_x": {"attr": "x"}}}, ["collections.orders.indexes.by_x", "attr"]),
    ({"indexes": {"X": {"attribute": "x"}}}, ["collections.orders.indexes", "'X'"]),
    ({"indexes": {"by": {"attribute": "x"}}}, ["collections.orders.indexes", "'by'"]),
    ({"indexes": []}, ["collections.orders.indexes", "[]"]),
    ({"indexes": {"by_x": {"attribute": "a-b"}}}, ["indexes.by_x.attribute", "'a-b'"]),
    ({"indexes": {"by_x": {"attribute": "x", "type": "binary"}}},
     ["indexes.by_x.type", "'binary'"]),
    ({"indexes": {"by_a": {"attribute": "x"}, "by_b": {"attribute": "x"}}},
     ["indexes.by_b.attribute", "'x'", "'by_a'"]),
    ({"indexes": {f"by_{n:02}": {"attribute": f"f{n}"} for n in range(21)}},
     ["collections.orders.indexes", "at most 20", "21 indexes"]),
    # A mirror may not take an attribute the API stores, nor a query parameter the list reads.
    *[({"indexes": {"by_x": {"attribute": name}}}, ["indexes.by_x.attribute", f"'{name}'",
                                                   "collide"])
      for name in ("id", "data", "created_at", "updated_at", "version", "incarnation")],
    *[({"indexes": {"by_x": {"attribute": name}}}, ["indexes.by_x.attribute", f"'{name}'",
                                                   "query parameters"])
      for name in ("limit", "next")],
    ({"ttl_attribute": "updated_at"}, ["collections.orders.ttl_attribute", "'updated_at'"]),
    # Types: an index reads a string or a number, an expiry a number.
    ({"schema": TYPED, "indexes": {"by_flag": {"attribute": "flag"}}},
     ["indexes.by_flag.attribute", "'flag'", "['boolean']"]),
    ({"schema": TYPED, "indexes": {"by_either": {"attribute": "either"}}},
     ["indexes.by_either.attribute", "'either'"]),
    ({"schema": TYPED, "indexes": {"by_name": {"attribute": "name", "type": "number"}}},
     ["indexes.by_name.type", "'number'"]),
    ({"schema": TYPED, "ttl_attribute": "name"}, ["ttl_attribute", "'name'", "['string']"]),
    ({"schema": TYPED, "ttl_attribute": 5}, ["ttl_attribute", "5"]),
    ({"indexes": {"by_t": {"attribute": "t"}}, "ttl_attribute": "t"},
     ["ttl_attribute", "'t'", "'by_t'"]),
    ({"schema": {"type": "object", "additionalProperties": False,
                 "properties": {"a": {"type": "string"}}},
      "indexes": {"by_b": {"attribute": "b"}}}, ["indexes.by_b.attribute", "'b'",
                                                  "additionalProperties"]),
    ({"schema": {"type": "array"}, "ttl_attribute": "t"}, ["ttl_attribute", "not an object"]),
]


@pytest.mark.parametrize("rules,named", BAD_RULES, ids=[repr(r[0])[:50] for r in BAD_RULES])
def test_bad_rules_are_refused_naming_key_value_and_reason(rules, named):
    with pytest.raises(ConfigError) as raised:
        parse_config({**GOOD, "collections": _orders(**rules)})
    message = str(raised.value)
    assert "\n" not in message and message.startswith("sceptre_user_data.collections.orders")
    for part in named:
        assert part in message, (part, message)


def test_types_the_schema_gives_decide_the_index_key_type():
    cfg = parse_config({**GOOD, "collections": _orders(schema=TYPED, indexes={
        "by_name": {"attribute": "name"}, "by_count": {"attribute": "count"},
        "by_maybe": {"attribute": "maybe"}, "by_untyped": {"attribute": "other"},
        "by_chosen": {"attribute": "chosen", "type": "number"}}, ttl_attribute="count")})
    table = build_template(cfg).to_dict()["Resources"]["OrdersTable"]["Properties"]
    assert {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]} == {
        "id": "S", "name": "S", "count": "N", "maybe": "S", "other": "S", "chosen": "N"}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "count", "Enabled": True}


def test_schemas_larger_than_the_functions_environment_are_a_named_error():
    """Each schema travels in the function's COLLECTIONS variable: Lambda's 4 KB for all
    its variables is a generate-time error naming the size, not a failed deploy."""
    wide = {"type": "object", "properties": {
        f"field_{n:03}": {"type": "string", "maxLength": 64} for n in range(40)}}
    cfg = parse_config({**GOOD, "collections": {
        name: {"schema": wide} for name in ("orders", "customers", "invoices")}})
    with pytest.raises(ConfigError, match=r"^[^\n]*: 1 of these 3 collections fit one stack "
                       r"\(the first 1\); with 2 it would have \d+ bytes in the function's "
                       r"environment \(Lambda\), over the limit of 4096 \(.*shorter schemas "
                       r"fit more.*\): move the others"):
        build_template(cfg)


def test_the_example_of_the_readme_renders_with_its_schema_in_the_model():
    cfg = parse_config({**GOOD, "collections": _orders(
        schema=ORDERS_SCHEMA, indexes={"by_customer": {"attribute": "customer_id"}},
        ttl_attribute="expires_at")})
    resources = build_template(cfg).to_dict()["Resources"]
    for model in ("OrdersNewItemModel", "OrdersItemChangeModel"):
        schema = resources[model]["Properties"]["Schema"]
        schema = json.loads(schema) if isinstance(schema, str) else schema
        assert schema["properties"]["data"]["allOf"][1] == ORDERS_SCHEMA
