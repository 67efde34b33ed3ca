"""The `collections` key: which collections an environment serves, each its own table.

    collections:
      data: {}              # the default when the key is absent
      orders: {path: /orders, billing: on_demand}
      payroll:
        access: {readers: none, writers: read}   # the API-wide roles here (see below)

Every collection gets a table, the routes `<path>` and `<path>/{id}`, IAM on its
table's ARN, alarms and dashboard widgets (template.py wires them). The names of the
default collection's resources predate collections and are kept (a rename would
replace the table): its table is `<prefix>-items`, its alarms and scaling resources
carry no collection name. Every other collection's logical IDs start with its name in
CamelCase (`order_items` -> OrderItemsTable), its physical names with its name.

Rights: every collection has its own readers and writers (Cognito scopes
`<collection>.read`/`.write` and groups, IAM managed policies: auth.py). `access` says
what the API-wide readers and writers may still do on it: by default read, and read and
write, as on every collection before collections had rights of their own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from data_api import contract
from data_api.collection_env import ACCESS_LEVELS, Access, Index
from data_api.routes import COLLECTION as DEFAULT_PATH
from data_api_stack import ids
from data_api_stack.collection_rules import RULE_KEYS, parse_rules
from data_api_stack.parsers import ConfigError, fail, first_clash

DEFAULT = contract.DEFAULT_COLLECTION
KEY = "collections"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
MAX_NAME_LENGTH = 32
# One path segment of lower-case letters, digits, '-' or '_' (API Gateway path parts are
# case-sensitive; one case keeps URLs unambiguous).
PATH_PATTERN = re.compile(r"^/[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")
BILLING_MODES = {"provisioned": "PROVISIONED", "on_demand": "PAY_PER_REQUEST"}
# Paths the API (or the local API beside it) already answers: the OpenAPI document and
# its viewer (`make up`).
RESERVED_PATHS = ("/docs", "/openapi.json")
LEGACY_TABLE_SUFFIX = "items"


@dataclass(frozen=True)
class Collection:
    """One collection; field names are its config keys (`name` is the mapping's key)."""

    name: str
    path: str
    billing: str = "provisioned"
    schema: Optional[dict[str, Any]] = field(default=None, hash=False)  # of the item's data
    indexes: tuple[Index, ...] = ()
    ttl_attribute: Optional[str] = None
    example: Any = field(default=None, hash=False)  # the release checks' data (None: any)
    access: Access = Access()

    @functools.cached_property
    def shape(self) -> contract.Shape:
        """What the contract needs of it: its body models and its index queries."""
        return contract.Shape(self.name, self.path, self.schema, tuple(
            contract.query_parameter(i.attribute, i.name, i.key_type) for i in self.indexes))

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT

    @property
    def camel(self) -> str:
        """The name in CamelCase: `order_items` -> OrderItems."""
        return contract.camel_case(self.name)

    @property
    def table_id(self) -> str:
        """The table's logical ID: DataTable (ids.TABLE), OrdersTable."""
        return ids.TABLE if self.is_default else f"{self.camel}Table"

    def table_part_id(self, suffix: str) -> str:
        """Logical ID of a resource about the table (alarm, scaling): the default
        collection's are `Table<suffix>`, another's `<Camel>Table<suffix>`."""
        return f"Table{suffix}" if self.is_default else f"{self.table_id}{suffix}"

    def table_name(self, name_prefix: str) -> str:
        return f"{name_prefix}-{LEGACY_TABLE_SUFFIX if self.is_default else self.name}"

    def scoped_name(self, name_prefix: str, rest: str) -> str:
        """A physical name about the collection: `<prefix>-[<name>-]<rest>`."""
        return f"{name_prefix}-{rest}" if self.is_default else f"{name_prefix}-{self.name}-{rest}"

    @property
    def provisioned(self) -> bool:
        return self.billing == "provisioned"

    @property
    def billing_mode(self) -> str:
        return BILLING_MODES[self.billing]


DEFAULT_COLLECTIONS = (Collection(DEFAULT, DEFAULT_PATH),)


def _collection(name: Any, entry: Any) -> Collection:
    where = f"{KEY}.{name}"
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or len(name) > MAX_NAME_LENGTH:
        raise ConfigError(f"sceptre_user_data.{KEY}: expected collection names of 1-"
                          f"{MAX_NAME_LENGTH} lower-case letters, digits and single '_', "
                          f"starting with a letter (like orders or order_items), got {name!r}")
    if name == LEGACY_TABLE_SUFFIX:
        raise ConfigError(f"sceptre_user_data.{where}: the name {name!r} is taken: the "
                          f"{DEFAULT!r} collection's table is named <prefix>-{name}; choose "
                          "another name (its path can still be /items)")
    if entry is None:
        entry = {}
    if not isinstance(entry, Mapping):
        raise fail(where, "a mapping of path and billing (or {})", entry)
    known = ("access", "billing", "path", *RULE_KEYS)
    unknown = sorted(set(entry) - set(known), key=repr)
    if unknown:
        raise ConfigError(f"sceptre_user_data.{where}: unknown key(s) "
                          f"{', '.join(map(repr, unknown))}; known keys are "
                          + ", ".join(sorted(known)))
    path = entry.get("path", f"/{name}")
    if not isinstance(path, str) or not PATH_PATTERN.match(path):
        raise fail(f"{where}.path", "one path segment of lower-case letters, digits, '-' or "
                   "'_', like /orders", path)
    if path in RESERVED_PATHS:
        raise fail(f"{where}.path", "a path the API does not already serve (" +
                   ", ".join(RESERVED_PATHS) + " are the local API's document)", path)
    billing = entry.get("billing", "provisioned")
    if not isinstance(billing, str) or billing not in BILLING_MODES:
        raise fail(f"{where}.billing", "one of " + ", ".join(BILLING_MODES), billing)
    return Collection(name, path, billing, *parse_rules(where, name, entry),
                      access=_access(f"{where}.access", entry.get("access", {})))



def _access(where: str, value: Any) -> Access:
    if not isinstance(value, Mapping):
        raise fail(where, "a mapping like {readers: none, writers: read}", value)
    unknown = sorted(set(value) - set(ACCESS_LEVELS), key=repr)
    if unknown:
        raise ConfigError(f"sceptre_user_data.{where}: unknown key(s) "
                          f"{', '.join(map(repr, unknown))}; known keys are readers, writers")
    for role, allowed in ACCESS_LEVELS.items():
        if role in value and (not isinstance(value[role], str) or value[role] not in allowed):
            raise fail(f"{where}.{role}", "one of " + ", ".join(allowed), value[role])
    return Access(**value)


def parse_collections(key: str, value: Any) -> tuple[Collection, ...]:
    """The `collections` mapping, in its order; each path served by one collection."""
    if not isinstance(value, Mapping) or not value:
        raise fail(key, "a non-empty mapping of collection name -> settings, like "
                   "{data: {}, orders: {billing: on_demand}}", value)
    parsed = tuple(_collection(name, entry) for name, entry in value.items())
    clash = first_clash((c.path, c.name) for c in parsed)
    if clash:
        path, other, name = clash
        raise fail(f"{key}.{name}.path", f"a path no other collection has ({other!r} is on "
                   "it)", path)
    clash = first_clash((c.camel, c.name) for c in parsed)
    if clash:
        _, other, name = clash
        raise fail(key, f"names that differ in more than '_' ({other!r} and {name!r} give "
                   "the same resource names)", name)
    return parsed


def collection_models(collections: tuple[Collection, ...]) -> dict[str, dict[str, Any]]:
    """Every body model these collections use, by name: the contract's shared ones and
    each schema's own (contract.Shape.models), in the collections' order."""
    return {name: schema for collection in collections
            for name, schema in collection.shape.models().items()}


def collection_paths(collections: tuple[Collection, ...]) -> list[str]:
    """The collections' paths, in their order."""
    return [c.path for c in collections]
