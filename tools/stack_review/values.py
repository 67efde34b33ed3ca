"""Values as a reviewer reads them: intrinsic functions in short form, long values cut."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Sequence

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "(none)"})()


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (
        next(iter(value)) == "Ref" or next(iter(value)).startswith(("Fn::", "Condition")))


def _intrinsic(value: dict) -> str:
    name, arg = next(iter(value.items()))
    if name == "Ref":
        return f"!Ref {arg}"
    if name == "Fn::GetAtt":
        return "!GetAtt " + (".".join(map(str, arg)) if isinstance(arg, list) else str(arg))
    if name == "Fn::Sub" and isinstance(arg, str):
        return f"!Sub {arg}"
    return f"!{name.removeprefix('Fn::')} {compact(arg)}"


def compact(value: Any) -> str:
    """One line: strings bare, intrinsics as YAML short form, the rest as compact JSON."""
    if value is MISSING:
        return "(none)"
    if isinstance(value, str):
        return value
    if is_intrinsic(value):
        return _intrinsic(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(compact(v) for v in value) + "]"
    return json.dumps(value)


def short(value: Any, width: int = 60) -> str:
    """`compact(value)`, cut to `width` with its length and a digest when longer, so two
    long values that differ still read differently."""
    text = compact(value)
    if len(text) <= width:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:7]
    tail = f"... ({len(text)} chars, #{digest})"
    return text[:max(8, width - len(tail))] + tail


def pair(old: Any, new: Any, width: int = 40) -> tuple[str, str]:
    """`short` of both sides, but when both are long, around where they differ: the common
    start and end are elided so that the difference stays visible."""
    a, b = compact(old), compact(new)
    if old is MISSING or new is MISSING or (len(a) <= width and len(b) <= width):
        return short(old, width), short(new, width)
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    context = 12
    lo = max(0, start - context)

    def window(text: str) -> str:
        hi = min(len(text), len(text) - end + context)
        piece = text[lo:hi]
        if len(piece) > width - 6:  # starts just before the difference: still tells apart
            piece, hi = piece[:width - 6], lo + width - 6
        return ("..." if lo else "") + piece + ("..." if hi < len(text) else "")
    return window(a), window(b)


def path_text(path: Sequence[Any]) -> str:
    """("Properties", "KeySchema", 0, "AttributeName") -> Properties.KeySchema[0].AttributeName"""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def changes(old: Any, new: Any, path: tuple = ()) -> list[tuple[tuple, Any, Any]]:
    """Every leaf that differs: (path, old, new); MISSING where absent. Intrinsics and
    lists of different lengths are leaves."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict) and not (
            is_intrinsic(old) or is_intrinsic(new)):
        found = []
        for key in list(old) + [k for k in new if k not in old]:
            found += changes(old.get(key, MISSING), new.get(key, MISSING), path + (key,))
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = []
        for index, (a, b) in enumerate(zip(old, new)):
            found += changes(a, b, path + (index,))
        return found
    return [(path, old, new)]
