"""`machine_clients` (auth: cognito): one confidential app client per calling service,
allowed only the scopes of its rights, so a partner's secret can never ask for more.

    machine_clients:
      order_service: [orders:write, customers:read]
      partner: [orders:read]

Each is `<Name>MachineClient` (client credentials, a secret), its id in the output
`<Name>MachineClientId`; the handler accepts its tokens like the stack's own clients'.
The stack's own `MachineClient` holds only the API-wide `read` and `write` scopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from data_api.collection_env import READ, WRITE
from data_api_stack.collection import NAME_PATTERN, Collection
from data_api_stack.parsers import ConfigError, fail, first_clash

KEY = "machine_clients"
# The stack's own clients' names (<prefix>-browser, <prefix>-machine).
RESERVED = ("browser", "machine")


@dataclass(frozen=True)
class MachineClient:
    name: str
    rights: tuple[tuple[str, str], ...]  # (collection, READ or WRITE)

    @property
    def logical_id(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_")) + "MachineClient"


def parse_rights(items: Sequence[Any],
                 known: Callable[[str], Any] = NAME_PATTERN.match) -> dict[str, str]:
    """`<collection>:read` / `<collection>:write` items -> {collection: level} (also
    `make token RIGHTS=`'s); ValueError naming the first item that is none, names its
    collection again, or names one `known` does not take."""
    rights: dict[str, str] = {}
    for right in items:
        name, _, level = right.partition(":") if isinstance(right, str) else ("", "", "")
        if not known(name) or level not in (READ, WRITE) or name in rights:
            raise ValueError(right)
        rights[name] = level
    return rights


def _rights(where: str, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise fail(where, "a list of rights like [orders:write, customers:read]", value)
    try:
        return tuple(parse_rights(value).items())
    except ValueError as bad:
        raise fail(where, "rights <collection>:read or <collection>:write, each "
                   "collection once", bad.args[0]) from None


def parse_machine_clients(key: str, value: Any) -> tuple[MachineClient, ...]:
    if not isinstance(value, Mapping) or not value:
        raise fail(key, "a mapping of service name -> rights, like {partner: [orders:read]}",
                   value)
    clients = []
    for name, rights in value.items():
        if not isinstance(name, str) or not NAME_PATTERN.match(name) or len(name) > 32:
            raise fail(key, "service names of 1-32 lower-case letters, digits and single "
                       "'_', starting with a letter (like order_service)", name)
        if name in RESERVED:
            raise fail(key, "service names other than " + ", ".join(RESERVED) + " (the "
                       "stack's own clients)", name)
        clients.append(MachineClient(name, _rights(f"{key}.{name}", rights)))
    clash = first_clash((c.logical_id, c.name) for c in clients)
    if clash:
        _, other, name = clash
        raise fail(key, f"names that differ in more than '_' ({other!r} and {name!r} give "
                   "the same client)", name)
    return tuple(clients)


def check(clients: Sequence[MachineClient], collections: Sequence[Collection],
          auth: str) -> None:
    """Only with auth: cognito, and each right on a collection of this environment."""
    if clients and auth != "cognito":
        raise fail(KEY, f"absent unless auth is cognito (auth is {auth})",
                   [c.name for c in clients])
    names = [c.name for c in collections]
    for client in clients:
        for collection, level in client.rights:
            if collection not in names:
                raise ConfigError(f"sceptre_user_data.{KEY}.{client.name}: "
                                  f"'{collection}:{level}' names no collection of this "
                                  f"environment ({', '.join(names)})")
