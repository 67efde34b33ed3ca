"""The PR-comment format: headline, a summary table per environment, details folded."""

from __future__ import annotations

from typing import Any

from stack_review.diff import Change, ResourceChange, StackDiff
from stack_review.report import Review, counts, data_losses, findings, flagged, headline
from stack_review.values import MISSING, pair, path_text, short

PAST = {"replace": "replaced", "may replace": "possibly replaced", "destroy": "destroyed",
        "orphan": "orphaned (retained, no longer managed)"}
COLUMNS = ("add", "update", "may replace", "replace", "destroy", "orphan")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else text


def _value(value: Any) -> str:
    return "_(none)_" if value is MISSING else _cell(_code(short(value)))


def _pair(old: Any, new: Any) -> tuple[str, str]:
    before, after = pair(old, new, 60)
    return (_value(old) if old is MISSING else _cell(_code(before)),
            _value(new) if new is MISSING else _cell(_code(after)))


def _summary(environment: str, stacks: list[StackDiff]) -> list[str]:
    lines = [f"### {environment}", "",
             "| Stack | " + " | ".join(c.title() for c in COLUMNS) + " | Security | Data loss |",
             "|---|" + "---:|" * (len(COLUMNS) + 1) + "---|"]
    for stack in stacks:
        tally = counts(stack)
        losses = ", ".join(f"**{r.logical_id}**" for r in stack.resources if r.data_loss)
        status = {"added": " (new)", "removed": " (removed)", "unchanged": " (no changes)"}
        lines.append(f"| `{stack.name}`{status.get(stack.status, '')} | "
                     + " | ".join(str(tally[c] or "") for c in COLUMNS)
                     + f" | {len(stack.security) or ''} | {losses} |")
    return lines + [""]


def _resource_rows(changes: list[ResourceChange]) -> list[str]:
    lines = ["| Resource | Type | Action | Changes |", "|---|---|---|---|"]
    for change in changes:
        action = f"**{change.action}**" + (f" :warning: **{change.data_loss}**"
                                           if change.data_loss else "")
        flags = findings(change)
        action += "".join(f" :warning: **{marker}**" for marker, _ in flags)
        details = [f"**{_cell(message)}**" for _, message in flags]
        details += [f"_{_cell(reason)}_" for reason in change.reasons]
        details += [f"{_cell(_code(path_text(p[1:] if p[:1] == ('Properties',) else p)))}: "
                    + " &rarr; ".join(_pair(old, new)) for p, old, new in change.changes]
        lines.append(f"| `{change.logical_id}` | `{change.type}` | {action} | "
                     + ("<br>".join(details) or "") + " |")
    return lines


def _changes_table(title: str, items: list[Change]) -> list[str]:
    if not items:
        return []
    return [f"**{title}**", "", "| Path | Old | New |", "|---|---|---|"] + [
        f"| {_cell(_code(path_text(p)))} | " + " | ".join(_pair(old, new)) + " |"
        for p, old, new in items] + [""]


def _details(stack: StackDiff) -> list[str]:
    lines = ["<details>", f"<summary><code>{stack.name}</code>: "
             f"{len(stack.resources)} resource change(s)"
             f"{', security changes' if stack.security else ''}</summary>", ""]
    lines += [f"- {_cell(note)}" for note in stack.notes] + ([""] if stack.notes else [])
    if stack.resources:
        lines += _resource_rows(stack.resources) + [""]
    if stack.security:
        lines += ["**Security changes**", "", "| | Resource | Kind | Change |",
                  "|---|---|---|---|"]
        lines += [f"| {s.sign} | `{s.resource}` | {s.kind} | {_cell(s.detail)} |"
                  for s in stack.security] + [""]
    lines += _changes_table("Parameters", stack.parameters)
    lines += _changes_table("Outputs", stack.outputs)
    lines += _changes_table("Stack tags", stack.tags)
    lines += _changes_table("Template sections", stack.sections)
    return lines + ["</details>", ""]


def render(review: Review) -> str:
    lines = [f"## Stack review: `{review.base}` &rarr; `{review.head}`", "",
             headline(review), ""]
    for stack, change in data_losses(review):
        lines.append(f"> :warning: **{change.data_loss}**: `{stack.name}` "
                     f"`{change.logical_id}` ({change.type}) would be {PAST[change.action]}")
    for stack, change, marker, message in flagged(review):
        lines.append(f"> :warning: **{marker}**: `{stack.name}` `{change.logical_id}` "
                     f"({change.type}) {_cell(message)}")
    if data_losses(review) or flagged(review):
        lines.append("")
    for environment, stacks in review.environments.items():
        lines += _summary(environment, stacks)
    for stack in review.changed:
        lines += _details(stack)
    return "\n".join(lines).rstrip() + "\n"
