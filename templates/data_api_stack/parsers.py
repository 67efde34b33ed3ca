"""Generic `sceptre_user_data` value parsers: each takes (key, value), returns the
parsed value or raises ConfigError naming the key and the bad value."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Optional


class ConfigError(ValueError):
    """A `sceptre_user_data` key is missing, unknown or has a bad value."""


def fail(key: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"sceptre_user_data.{key}: expected {expected}, got {value!r}")


def integer(low: int, high: int) -> Callable[[str, Any], int]:
    def parse(key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail(key, f"an integer from {low} to {high}", value)
        return value
    return parse


def number(low: float, high: float) -> Callable[[str, Any], float]:
    def parse(key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise fail(key, f"a number from {low:g} to {high:g}", value)
        return float(value)
    return parse


def choice(options: tuple[Any, ...]) -> Callable[[str, Any], Any]:
    def parse(key: str, value: Any) -> Any:
        if isinstance(value, bool) or value not in options:
            raise fail(key, "one of " + ", ".join(map(str, options)), value)
        return value
    return parse


def matching(pattern: re.Pattern[str], what: str) -> Callable[[str, Any], str]:
    def parse(key: str, value: Any) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            raise fail(key, what, value)
        return value
    return parse


def boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise fail(key, "true or false", value)
    return value


def optional(pattern: re.Pattern[str], what: str) -> Callable[[str, Any], Optional[str]]:
    def parse(key: str, value: Any) -> Optional[str]:
        if value is None or value == "":
            return None
        return matching(pattern, what)(key, value)
    return parse


def first_clash(pairs: Iterable[tuple[str, str]]) -> Optional[tuple[str, str, str]]:
    """Of (value, owner) pairs, the first value two owners share: (value, first owner,
    second owner); None if every value has one owner."""
    seen: dict[str, str] = {}
    for value, owner in pairs:
        other = seen.setdefault(value, owner)
        if other != owner:
            return value, other, owner
    return None
