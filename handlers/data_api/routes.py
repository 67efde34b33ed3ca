"""The API's routes: every collection has a list route and an item route.

Single source for the handler's router and for the API Gateway resources and
methods in the template. A collection lives at one path (`/data`, `/orders`); its
item route is that path plus `/{id}`.
"""

from __future__ import annotations

from typing import Iterable

# The collection every environment has unless its config names others (`collections`).
COLLECTION = "/data"
ITEM = "/data/{id}"
ITEM_SUFFIX = "/{id}"

COLLECTION_METHODS = ("GET", "POST", "OPTIONS")
ITEM_METHODS = ("GET", "PUT", "DELETE", "OPTIONS")

# Access control (README "Access control"): readers may call the read methods, writers
# every method; OPTIONS (CORS preflight) is never authorized.
READ_METHODS = ("GET",)
WRITE_METHODS = ("POST", "PUT", "DELETE")


def item_path(collection_path: str) -> str:
    """`/orders` -> `/orders/{id}`."""
    return collection_path + ITEM_SUFFIX


def is_item(path: str) -> bool:
    return path.endswith(ITEM_SUFFIX)


def collection_path(path: str) -> str:
    """The collection a route belongs to: `/orders/{id}` and `/orders` -> `/orders`."""
    return path[: -len(ITEM_SUFFIX)] if is_item(path) else path


def methods(path: str) -> tuple[str, ...]:
    """The methods a route allows, OPTIONS included (the `Allow` header's value)."""
    return ITEM_METHODS if is_item(path) else COLLECTION_METHODS


def routes(collection_paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Route template -> allowed methods, for collections at these paths, in order."""
    table: dict[str, tuple[str, ...]] = {}
    for path in collection_paths:
        table[path] = COLLECTION_METHODS
        table[item_path(path)] = ITEM_METHODS
    return table


# The routes of the default collection alone (an environment that names no others).
ROUTES = routes([COLLECTION])


def unknown_route_message(collection_paths: Iterable[str]) -> str:
    """What a client is told for a path that is not a route: by the handler and by API
    Gateway's fallback (the template) alike."""
    every = list(routes(collection_paths))
    listed = every[0] if len(every) == 1 else ", ".join(every[:-1]) + " or " + every[-1]
    return f"no route for this path; try {listed}"
