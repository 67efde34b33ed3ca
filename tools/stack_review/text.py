"""The terminal format: fits 100 columns; colour only on a TTY (and never with NO_COLOR)."""

from __future__ import annotations

import textwrap
from typing import Any

from stack_review.diff import Change, ResourceChange, StackDiff
from stack_review.report import Review, counts, findings, headline
from stack_review.values import MISSING, pair, path_text, short

WIDTH = 100
COLOURS = {"red": "31;1", "green": "32", "yellow": "33", "cyan": "36;1", "bold": "1",
           "dim": "2"}
ACTION_COLOUR = {"add": "green", "update": "yellow", "may replace": "red", "replace": "red",
                 "destroy": "red", "orphan": "red"}
SIGN = {"add": "+", "destroy": "-", "orphan": "-"}


class Painter:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, colour: str) -> str:
        return f"\033[{COLOURS[colour]}m{text}\033[0m" if self.colour and text else text


def _wrap(text: str, indent: int, hang: int = 4) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=" " * indent,
                         subsequent_indent=" " * (indent + hang), break_on_hyphens=False,
                         break_long_words=True) or [" " * indent]


def _value_change(path: tuple, old: Any, new: Any, indent: int = 6) -> str:
    """`path: old -> new` on one line of the terminal when it can be."""
    name = path_text(path)
    room = max(30, (WIDTH - indent - len(name) - 6) // 2)
    if old is MISSING:
        return f"{name}: added {short(new, 2 * room)}"
    if new is MISSING:
        return f"{name}: removed (was {short(old, 2 * room)})"
    before, after = pair(old, new, room)
    return f"{name}: {before} -> {after}"


def _resource(change: ResourceChange, paint: Painter) -> list[str]:
    action = change.action.upper()
    head = f"  {SIGN.get(change.action, '~')} {change.logical_id} ({change.type})"
    flags = findings(change)
    loss = f" *** {change.data_loss} ***" if change.data_loss else ""
    loss += "".join(f" *** {marker} ***" for marker, _ in flags)
    verdict = paint(action, ACTION_COLOUR.get(change.action, "bold")) + paint(loss, "red")
    if len(head) + 1 + len(action) + len(loss) <= WIDTH:
        lines = [f"{head} {verdict}"]
    else:
        lines = _wrap(head.strip(), 2) + [" " * 6 + verdict]
    for _, message in flags:
        lines += [paint(line, "red") for line in _wrap(message, 6)]
    for reason in change.reasons:
        lines += _wrap(f"because {reason}", 6)
    for path, old, new in change.changes:
        if path[:1] != ("Properties",) or len(path) > 1:
            path = path[1:] if path[:1] == ("Properties",) else path
            lines += _wrap(_value_change(path, old, new), 6)
    return lines


def _section(title: str, items: list[Change], paint: Painter) -> list[str]:
    if not items:
        return []
    return [f"  {paint(title, 'bold')}"] + [
        line for path, old, new in items for line in _wrap(_value_change(path, old, new, 4), 4)]


def stack_lines(stack: StackDiff, paint: Painter) -> list[str]:
    if not stack.changed:
        return [paint(f"{stack.name}: no changes", "dim")]
    tally = counts(stack)
    summary = ", ".join(f"{n} {a}" for a, n in sorted(tally.items())) or "no resource changes"
    status = {"added": " (new stack)", "removed": " (stack removed from config/)"}.get(
        stack.status, "")
    lines = [paint(line, "bold") for line in _wrap(f"{stack.name}{status}: {summary}", 0)]
    for note in stack.notes:
        lines += [paint(line, "red" if note.startswith("BREAKS") else "bold")
                  for line in _wrap(note, 2)]
    for change in stack.resources:
        lines += _resource(change, paint)
    lines += _section("Parameters", stack.parameters, paint)
    lines += _section("Outputs", stack.outputs, paint)
    lines += _section("Stack tags", stack.tags, paint)
    lines += _section("Template", stack.sections, paint)
    if stack.security:
        lines.append("  " + paint("Security changes", "red"))
        for item in stack.security:
            lines += _wrap(f"{item.sign} {item.resource} [{item.kind}] {item.detail}", 4, 6)
    return lines


def render(review: Review, colour: bool = False) -> str:
    paint = Painter(colour)
    lines = [paint(line, "bold") for line in _wrap(
        f"stack-review: {review.base} -> {review.head}", 0)] + _wrap(headline(review), 0)
    for environment, stacks in review.environments.items():
        lines += ["", paint(f"== {environment} ".ljust(WIDTH, "="), "cyan")]
        for stack in stacks:
            lines += stack_lines(stack, paint)
    return "\n".join(lines) + "\n"
