"""What CloudFormation would do to each changed resource: add, update, replace, may
replace, destroy, orphan; renames; propagation through references; data loss."""

from __future__ import annotations

import re
from typing import Any, Iterator

from stack_protection.policy import PROTECTED_TYPES
from stack_review import schemas
from stack_review.diff import ResourceChange, StackDiff
from stack_review.values import MISSING

# Resources whose loss loses data: the types a protected stack's policy keeps. Log groups
# count when the template retains them: that is the template saying their contents matter.
STATEFUL = set(PROTECTED_TYPES)
STATEFUL_WHEN_RETAINED = {"AWS::Logs::LogGroup"}
RETAIN = {"Retain", "RetainExceptOnCreate"}
SUB_NAME = re.compile(r"\$\{([^!}][^}]*)\}")


def noun(type_name: str) -> str:
    """AWS::Logs::LogGroup -> "log group"."""
    last = type_name.rsplit("::", 1)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last).lower()


def _retained(resource: dict[str, Any] | None, policy: str = "DeletionPolicy") -> bool:
    return bool(resource) and (resource or {}).get(policy) in RETAIN


def is_stateful(change: ResourceChange) -> bool:
    return change.type in STATEFUL or change.type in STATEFUL_WHEN_RETAINED and (
        _retained(change.old) or _retained(change.new))


def references(value: Any, path: tuple = ()) -> Iterator[tuple[str, tuple]]:
    """(logical ID, value path) of every Ref, Fn::GetAtt and Fn::Sub reference."""
    if isinstance(value, dict):
        if len(value) == 1:
            name, arg = next(iter(value.items()))
            if name == "Ref" and isinstance(arg, str):
                yield arg, path
                return
            if name == "Fn::GetAtt":
                target = arg[0] if isinstance(arg, list) else str(arg).split(".")[0]
                yield str(target), path
                return
            if name == "Fn::Sub":
                text, names = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
                for found in SUB_NAME.findall(text if isinstance(text, str) else ""):
                    if found.split(".")[0] not in names:
                        yield found.split(".")[0], path
        for key, item in value.items():
            yield from references(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from references(item, path + (index,))


def _under_create_only(type_name: str, path: tuple, region: str) -> bool:
    """Whether a Properties value path lies under one of the type's create-only pointers."""
    for pointer in schemas.create_only(type_name, region):
        parts = pointer.split("/")[2:]
        if len(parts) <= len(path) and all(
                p == "*" and isinstance(k, int) or p == k for p, k in zip(parts, path)):
            return True
    return False


def _classify(change: ResourceChange, region: str) -> None:
    if change.old is None:
        change.action = "add"
    elif change.new is None:
        change.action = "orphan" if _retained(change.old) else "destroy"
        if change.action == "orphan":
            change.reasons.append("DeletionPolicy Retain: it stays in the account, unmanaged")
    elif change.old.get("Type") != change.new.get("Type"):
        change.action = "replace"
        change.reasons.append(f"the type changes: {change.old.get('Type')} -> {change.type}")
    else:
        action, reasons = schemas.replacement(change.type, change.properties_old,
                                              change.properties_new, region)
        change.action, change.reasons = action or "update", reasons
        if change.changes and all(path[:1] == ("Metadata",) for path, _, _ in change.changes):
            change.reasons.append("only its Metadata changes: data CloudFormation keeps with "
                                  "the template; the resource's configuration is untouched")


def _renames(diff: StackDiff) -> None:
    """A removed and an added resource of one type with mostly the same properties is a
    logical-ID rename, which CloudFormation performs as create + delete."""
    added = [c for c in diff.resources if c.action == "add"]
    for gone in [c for c in diff.resources if c.action in ("destroy", "orphan")]:
        def similarity(new: ResourceChange) -> float:
            a, b = gone.properties_old, new.properties_new
            keys = set(a) | set(b)
            return sum(a.get(k, MISSING) == b.get(k, MISSING) for k in keys) / (len(keys) or 1)
        candidates = [c for c in added if c.type == gone.type and c.renamed is None]
        best = max(candidates, key=similarity, default=None)
        if best is None or similarity(best) < 0.5:
            continue
        gone.renamed, best.renamed, what = best.logical_id, gone.logical_id, noun(gone.type)
        fate = "ORPHANED (retained, unmanaged)" if gone.action == "orphan" else "DELETED"
        gone.reasons.insert(0, f"logical ID renamed to {best.logical_id}: {gone.logical_id} "
                               f"would be {fate} and a new {what} created")
        best.reasons.insert(0, f"logical ID renamed from {gone.logical_id}: a new {what}"
                               + ("; its data does not move across" if is_stateful(gone)
                                  else ""))
        name = schemas.name_property(gone.type, diff.region)
        kept = gone.properties_old.get(name, MISSING) if name else MISSING
        if kept is not MISSING and kept == best.properties_new.get(name or "", MISSING):
            best.reasons.append(f"both use {name} {kept!r}: the create "
                                f"fails while the old {what} exists")


def keeps_name(change: ResourceChange, region: str) -> bool:
    """A replaced resource with a fixed custom name: CloudFormation refuses the
    replacement, so references to it do not get a new value."""
    name = schemas.name_property(change.type, region)
    return bool(name) and name in change.properties_new and \
        change.properties_new.get(name) == change.properties_old.get(name)


def _propagate(diff: StackDiff) -> None:
    """Resources referring to a replaced one get a new value: update, or replace when the
    reference sits in one of their create-only properties."""
    by_id = {c.logical_id: c for c in diff.resources}
    resources = diff.new_template.get("Resources", {})
    pending = [c.logical_id for c in diff.resources
               if c.action in ("replace", "may replace") and not keeps_name(c, diff.region)]
    while pending:
        target = pending.pop()
        for logical_id, resource in resources.items():
            hits = [path for name, path in references(resource.get("Properties", {}))
                    if name == target]
            if not hits or logical_id == target:
                continue
            change = by_id.get(logical_id)
            if change is None:
                change = by_id[logical_id] = ResourceChange(
                    logical_id, resource.get("Type", "?"), resource, resource, [], "update")
                diff.resources.append(change)
            if change.action not in ("update", "may replace", "replace"):
                continue
            verb = "is replaced" if by_id[target].action == "replace" else "may be replaced"
            change.reasons.append(f"refers to {target}, which {verb}")
            if change.action != "replace" and by_id[target].action == "replace" and any(
                    _under_create_only(change.type, path, diff.region) for path in hits):
                change.action = "replace"
                pending.append(logical_id)
    diff.resources.sort(key=lambda c: c.logical_id)


def _consequences(change: ResourceChange, region: str) -> None:
    stateful = is_stateful(change)
    if change.action in ("replace", "destroy") and stateful:
        change.data_loss = "DATA LOSS"
    elif change.action == "may replace" and stateful:
        change.data_loss = "POSSIBLE DATA LOSS"
    elif change.action == "orphan" and stateful:
        change.data_loss = "DATA ORPHANED"
    if change.action == "replace" and _retained(change.old, "UpdateReplacePolicy"):
        change.reasons.append("UpdateReplacePolicy Retain: the old one stays, unmanaged")
    if change.action == "replace" and keeps_name(change, region):
        change.reasons.append(f"{schemas.name_property(change.type, region)} is fixed: "
                              f"CloudFormation cannot replace a custom-named resource, "
                              f"the update would fail")


def assess(diff: StackDiff) -> StackDiff:
    """Fill in action, reasons and data loss for every resource change of the stack."""
    for change in diff.resources:
        _classify(change, diff.region)
    _renames(diff)
    _propagate(diff)
    for change in diff.resources:
        _consequences(change, diff.region)
    return diff
