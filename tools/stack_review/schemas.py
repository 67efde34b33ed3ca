"""Which property changes replace a resource, from the CloudFormation resource schemas
cfn-lint ships (cfnlint/data/schemas): `createOnlyProperties` replace, cfn-lint's
`conditionalCreateOnlyProperties` may replace. Read from cfn-lint's installed files at run
time, never copied; the few facts the schemas miss are in OVERRIDES below, tested."""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

from stack_review.values import MISSING

DEFAULT_REGION = "us-east-1"


@lru_cache(maxsize=1)
def schema_root() -> Path:
    """cfnlint/data/schemas of the installed cfn-lint, found without importing cfn-lint."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed: it provides the resource schemas")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@lru_cache(maxsize=None)
def _provider(region: str) -> dict[str, str]:
    """{resource type: schema file stem} for one region (cfn-lint's providers/<region>.json)."""
    path = schema_root() / "providers" / f"{region}.json"
    if not path.exists():
        path = schema_root() / "providers" / f"{DEFAULT_REGION}.json"
    return json.loads(path.read_text())


@lru_cache(maxsize=None)
def schema(type_name: str, region: str = DEFAULT_REGION) -> dict[str, Any]:
    """The resource type's schema ({} for an unknown or custom type)."""
    stem = _provider(region).get(type_name)
    if stem is None:
        return {}
    return json.loads((schema_root() / "resources" / f"{stem}.json").read_text())


def create_only(type_name: str, region: str = DEFAULT_REGION) -> list[str]:
    return list(schema(type_name, region).get("createOnlyProperties", []))


def conditional_create_only(type_name: str, region: str = DEFAULT_REGION) -> list[str]:
    return list(schema(type_name, region).get("conditionalCreateOnlyProperties", []))


def at_pointer(properties: Any, pointer: str) -> Any:
    """The value(s) a schema pointer (`/properties/A/*/B`) selects in Properties; a list of
    values under `*`; MISSING where absent."""
    parts = pointer.split("/")[2:] if pointer.startswith("/properties/") else []
    return _walk(properties, parts) if parts else MISSING


def _walk(value: Any, parts: list[str]) -> Any:
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if head == "*":
        return [_walk(item, rest) for item in value] if isinstance(value, list) else MISSING
    if isinstance(value, dict) and head in value:
        return _walk(value[head], rest)
    return MISSING


def _pointer_name(pointer: str) -> str:
    return ".".join(pointer.split("/")[2:]).replace(".*", "[*]")


def _table_key(properties: dict[str, Any]) -> Any:
    """A table's primary key: its KeySchema with each key attribute's type."""
    types = {a.get("AttributeName"): a.get("AttributeType")
             for a in properties.get("AttributeDefinitions", []) if isinstance(a, dict)}
    return [(k.get("AttributeName"), k.get("KeyType"), types.get(k.get("AttributeName")))
            for k in properties.get("KeySchema", []) if isinstance(k, dict)]


def _key_changed(old: dict[str, Any], new: dict[str, Any]) -> Optional[str]:
    if _table_key(old) != _table_key(new):
        return "the table's primary key (KeySchema and its AttributeDefinitions) changes"
    return None


# What the schemas miss. AWS::DynamoDB::Table lists KeySchema only as conditionally
# create-only, yet DynamoDB cannot change a table's key (UpdateTable takes no KeySchema:
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html), so
# a key change, including a key attribute's type, always replaces the table.
OVERRIDES: dict[str, Callable[[dict[str, Any], dict[str, Any]], Optional[str]]] = {
    "AWS::DynamoDB::Table": _key_changed,
    "AWS::DynamoDB::GlobalTable": _key_changed,
}


def replacement(type_name: str, old: dict[str, Any], new: dict[str, Any],
                region: str = DEFAULT_REGION) -> tuple[str, list[str]]:
    """("replace" | "may replace" | "", reasons) for a change of Properties old -> new of
    one resource type."""
    reasons, maybe = [], []
    override = OVERRIDES.get(type_name)
    if override and (reason := override(old, new)):
        reasons.append(reason)
    for pointer in create_only(type_name, region):
        if at_pointer(old, pointer) != at_pointer(new, pointer):
            reasons.append(f"{_pointer_name(pointer)} is create-only")
    for pointer in conditional_create_only(type_name, region):
        if at_pointer(old, pointer) != at_pointer(new, pointer):
            maybe.append(f"{_pointer_name(pointer)} may require replacement")
    if reasons:
        return "replace", reasons
    return ("may replace", maybe) if maybe else ("", [])


def name_property(type_name: str, region: str = DEFAULT_REGION) -> Optional[str]:
    """The property that names the resource when it is both its sole primary identifier and
    create-only (TableName, BucketName, FunctionName...): set, it makes replacement fail."""
    primary = schema(type_name, region).get("primaryIdentifier", [])
    if len(primary) == 1 and primary[0] in create_only(type_name, region) \
            and primary[0].count("/") == 2:
        return str(primary[0].split("/")[2])
    return None
