"""Which collections this function serves: route path -> table and the collection's rules.

The template writes them into the function's environment as one JSON object
(`COLLECTIONS`). A plain collection is its table's name; one with a schema, indexes or
an expiry attribute is an object:

    {"/data": "serverless-data-dev-items",
     "/orders": {"table": "serverless-data-dev-orders",
                 "schema": {...},                              # draft 4, the item's data
                 "indexes": {"customer_id": ["by_customer", "S"]},  # attribute -> index, type
                 "ttl": "expires_at",
                 "access": {"readers": "none"}},         # the API-wide roles, where not
     "/order-items": {"table": "...", "name": "order_items"}}  # today's; the name where
                                                              # the path is not /<name>

Read on each request (parsed once per distinct value), so a process serving several
stacks locally always routes by the environment it was given.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Optional, Union

from data_api.etags import INCARNATION_ATTRIBUTE, VERSION_ATTRIBUTE

ENV = "COLLECTIONS"
# Top-level attributes the API writes on every item (storage): a field mirrored to the
# top level for an index or an expiry may not take one of these names.
STORED_ATTRIBUTES = ("id", "data", "created_at", "updated_at", VERSION_ATTRIBUTE,
                     INCARNATION_ATTRIBUTE)
# Query parameters the list reads itself (validation.list_page): an index's attribute,
# which is also its query parameter, may not take one of these names.
LIST_PARAMETERS = ("limit", "next")
KEY_TYPES = ("S", "N")  # an index's key: a string or a number
# What a caller may do on a collection, each level allowing what the ones before it do.
NONE, READ, WRITE = "none", "read", "write"
LEVELS = (NONE, READ, WRITE)
# What each API-wide role may be given on a collection (Access): a reader never writes.
ACCESS_LEVELS = {"readers": (NONE, READ), "writers": LEVELS}


@dataclass(frozen=True)
class Index:
    """A global secondary index on the top-level mirror of `data.<attribute>`."""

    name: str
    attribute: str
    key_type: str  # "S" or "N"


@dataclass(frozen=True)
class Access:
    """What the API-wide readers and writers may do on one collection (README "Access
    control"): by default what they may do on every collection, read and write."""

    readers: str = READ  # READ or NONE
    writers: str = WRITE  # WRITE, READ or NONE

    def changed(self) -> dict[str, str]:
        """Only what differs from the default: the environment's form."""
        return {k: v for k, v in (("readers", self.readers), ("writers", self.writers))
                if v != getattr(Access, k)}


@dataclass(frozen=True)
class Settings:
    """One collection as the function serves it."""

    table: str
    schema: Optional[Mapping[str, Any]] = field(default=None, hash=False, compare=False)
    indexes: tuple[Index, ...] = ()
    ttl: Optional[str] = None
    name: str = ""  # the collection's name: its rights are named after it (authz)
    access: Access = Access()

    @property
    def mirrors(self) -> dict[str, str]:
        """The `data` fields copied to top-level attributes on every write, with the
        type each must have to be copied: an index's key type, a number for expiry."""
        found = {index.attribute: index.key_type for index in self.indexes}
        if self.ttl is not None:
            found[self.ttl] = "N"
        return found


def settings_value(table: str, schema: Optional[Mapping[str, Any]] = None,
                   indexes: tuple[Index, ...] = (), ttl: Optional[str] = None,
                   name: str = "", access: Access = Access()) -> Any:
    """One collection's entry in the variable: the bare table name when it has no rules.
    `name` only where the path does not give it (`/<name>`)."""
    value: dict[str, Any] = {"table": table}
    if schema is not None:
        value["schema"] = schema
    if indexes:
        value["indexes"] = {i.attribute: [i.name, i.key_type] for i in indexes}
    if ttl is not None:
        value["ttl"] = ttl
    if name:
        value["name"] = name
    if access.changed():
        value["access"] = access.changed()
    return table if len(value) == 1 else value


def encode(collections: Mapping[str, Any]) -> str:
    """The variable's value for these collections (path -> settings_value)."""
    return json.dumps(dict(collections), separators=(",", ":"))


def _access(value: Any) -> Optional[Access]:
    if not isinstance(value, dict) or set(value) - set(ACCESS_LEVELS) or any(
            value[role] not in allowed for role, allowed in ACCESS_LEVELS.items()
            if role in value):
        return None
    return Access(**value)


def _settings(path: str, value: Any) -> Settings:
    if isinstance(value, str) and value:
        return Settings(value, name=path[1:])
    problem = ValueError(f"{ENV}: {path!r} must be a table name or an object with a table, "
                         f"got {value!r}")
    if not isinstance(value, dict) or not isinstance(value.get("table"), str) \
            or not value["table"] or \
            set(value) - {"table", "schema", "indexes", "ttl", "name", "access"}:
        raise problem
    schema, ttl, raw = value.get("schema"), value.get("ttl"), value.get("indexes") or {}
    name, access = value.get("name", path[1:]), _access(value.get("access", {}))
    if (schema is not None and not isinstance(schema, dict)) or \
            (ttl is not None and not isinstance(ttl, str)) or not isinstance(raw, dict) \
            or not isinstance(name, str) or access is None:
        raise problem
    indexes = []
    for attribute, entry in raw.items():
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and entry[1] in KEY_TYPES):
            raise problem
        indexes.append(Index(entry[0], attribute, entry[1]))
    return Settings(value["table"], schema, tuple(indexes), ttl, name, access)


@lru_cache(maxsize=8)
def decode(raw: str) -> dict[str, Settings]:
    """The variable's value parsed; ValueError if it is not a non-empty path -> table map."""
    parsed: Union[Any, dict[str, Any]] = json.loads(raw)
    if not isinstance(parsed, dict) or not parsed or not all(
            isinstance(k, str) and k.startswith("/") for k in parsed):
        raise ValueError(f"{ENV} must map collection paths to table names, got {raw!r}")
    return {path: _settings(path, value) for path, value in parsed.items()}


def tables() -> dict[str, Settings]:
    """Collection path -> settings; ValueError (a 500, logged) if the variable is missing
    or malformed: the template always sets it."""
    raw = os.environ.get(ENV)
    if not raw:
        raise ValueError(f"the function's environment has no {ENV} variable")
    return decode(raw)
