"""Exports: a removed export that a stack still imports breaks that stack's deploys."""

from __future__ import annotations

from typing import Any, Iterator

from stack_review.diff import StackDiff
from stack_review.values import compact


def name(value: Any, stack_name: str) -> str:
    """An export or import name with the stack's own pseudo parameters filled in."""
    if isinstance(value, str):
        return value.replace("${AWS::StackName}", stack_name)
    if isinstance(value, dict) and len(value) == 1:
        function, arg = next(iter(value.items()))
        if function == "Ref" and arg == "AWS::StackName":
            return stack_name
        if function == "Fn::Sub" and isinstance(arg, str):
            return name(arg, stack_name)
        if function == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            return str(arg[0]).join(name(part, stack_name) for part in arg[1])
    return compact(value)


def _exports(entry: dict[str, Any]) -> dict[str, str]:
    outputs = (entry.get("template") or {}).get("Outputs", {})
    return {key: name(output["Export"]["Name"], entry.get("external_name", ""))
            for key, output in outputs.items() if isinstance(output.get("Export"), dict)}


def _imports(value: Any, stack_name: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Fn::ImportValue":
                yield name(item, stack_name)
            else:
                yield from _imports(item, stack_name)
    elif isinstance(value, list):
        for item in value:
            yield from _imports(item, stack_name)


def check(diffs: list[StackDiff], old: dict[str, Any], new: dict[str, Any]) -> None:
    """Add a note to each stack that removes (or renames) an export."""
    importers: dict[str, list[str]] = {}
    for stack, entry in new["stacks"].items():
        for imported in _imports(entry.get("template") or {}, entry.get("external_name", "")):
            importers.setdefault(imported, []).append(stack)
    for diff in diffs:
        before = _exports(old["stacks"].get(diff.name) or {})
        after = set(_exports(new["stacks"].get(diff.name) or {}).values())
        for export in sorted(set(before.values()) - after):
            users = sorted(set(importers.get(export, [])) - {diff.name})
            if users:
                diff.notes.append(f"BREAKS DEPLOYS: export {export} is removed but "
                                  f"{', '.join(users)} still import(s) it")
            else:
                diff.notes.append(f"export {export} is removed: a stack outside this "
                                  f"project importing it would block this update")
