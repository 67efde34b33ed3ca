"""Item versions as ETags that never repeat for an id, and If-Match as RFC 9110 reads it.

An item's ETag is `"<counter>-<incarnation>"`: the counter counts writes since the
item was created (DynamoDB increments it atomically) and the incarnation is 64
random bits chosen when the item is created. Deleting and re-creating an id starts
the counter at 1 again but with a new incarnation, so a stale If-Match from an
earlier life never matches the new item (no lost update). The same string is the
item's `version` field, so a client that only has a list page can still send
`If-Match: "<version>"`.

If-Match (RFC 9110, section 13.1.1): `*` or a comma-separated list of entity-tags;
comparison is strong, so a weak tag (W/"...") never matches and a request whose
tags are all weak fails its precondition (412). Syntax errors are a 400.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from data_api.errors import bad_parameter

VERSION_ATTRIBUTE, INCARNATION_ATTRIBUTE = "version", "incarnation"
MAX_TAGS = 10  # tags in one If-Match; each becomes one alternative of the write condition
_ETAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e]*)"\s*(?:,|$)')  # RFC 9110 entity-tag, ASCII
# An item's version (the ETag's value): "<counter>" or "<counter>-<incarnation>".
VERSION_PATTERN = r"^([0-9]{1,18})(?:-([0-9a-f]{16}))?$"
_OURS = re.compile(VERSION_PATTERN)


@dataclass(frozen=True)
class IfMatch:
    """A parsed If-Match: `any` for `*`, else the strong tags (weak ones never match)."""
    any: bool
    tags: tuple[str, ...] = ()

    def versions(self) -> list[tuple[int, Optional[str]]]:
        """(counter, incarnation or None) of every tag one of our items could carry."""
        found = (_OURS.match(tag) for tag in self.tags)
        return [(int(m.group(1)), m.group(2)) for m in found if m]

    def matches(self, version: Optional[str]) -> bool:
        return self.any or (version is not None and version in self.tags)


def new_incarnation() -> str:
    return secrets.token_hex(8)


def parse_if_match(value: Optional[str]) -> Optional[IfMatch]:
    """The If-Match header -> IfMatch, None when absent; a malformed header is a 400."""
    if value is None:
        return None
    if value.strip() == "*":
        return IfMatch(any=True)
    tags, position = [], 0
    while position < len(value):
        found = _ETAG.match(value, position)
        if not found or found.end() == position:
            raise bad_parameter(f'If-Match must be "*" or quoted ETags such as "3-5f0c...", '
                                f"as the ETag header gives them; got {value[:80]!r}")
        if not found.group(1):
            tags.append(found.group(2))
        position = found.end()
    if not tags and not value.strip():
        raise bad_parameter("If-Match must not be empty")
    if len(tags) > MAX_TAGS:
        raise bad_parameter(f"If-Match lists {len(tags)} ETags; at most {MAX_TAGS}")
    return IfMatch(any=False, tags=tuple(tags))


def version_of(attributes: dict[str, Any]) -> Optional[str]:
    """The API version (ETag value) of a deserialized item; None when the item has no
    numeric version (written by another tool)."""
    counter = attributes.get(VERSION_ATTRIBUTE)
    if not isinstance(counter, Decimal) or not counter.is_finite():
        return None
    incarnation = attributes.get(INCARNATION_ATTRIBUTE)
    return f"{counter}-{incarnation}" if isinstance(incarnation, str) else str(counter)


def present(attributes: dict[str, Any]) -> dict[str, Any]:
    """The item as the API shows it: `version` is the ETag value, no incarnation field."""
    item = {name: value for name, value in attributes.items()
            if name not in (VERSION_ATTRIBUTE, INCARNATION_ATTRIBUTE)}
    version = version_of(attributes)
    if version is not None:
        item[VERSION_ATTRIBUTE] = version
    return item


def header(version: Optional[str]) -> dict[str, str]:
    return {"ETag": f'"{version}"'} if version is not None else {}
