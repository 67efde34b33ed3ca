"""What changed between two renderings of a project: stacks, resources (with each changed
value path), parameters, outputs and exports, stack tags, other template sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from stack_review.discovery import environment_of
from stack_review.values import MISSING, changes

Change = tuple[tuple, Any, Any]  # (value path, old, new); MISSING where absent
SECTIONS = ("AWSTemplateFormatVersion", "Description", "Transform", "Metadata", "Mappings",
            "Conditions", "Rules")


@dataclass
class ResourceChange:
    logical_id: str
    type: str
    old: Optional[dict[str, Any]]
    new: Optional[dict[str, Any]]
    changes: list[Change]
    action: str = ""  # set by impact: add, update, replace, may replace, destroy, orphan
    reasons: list[str] = field(default_factory=list)
    data_loss: str = ""  # "", "DATA LOSS", "POSSIBLE DATA LOSS" or "DATA ORPHANED"
    renamed: Optional[str] = None  # the logical ID on the other side of a rename
    gsi_limit: str = ""  # set by indexes: why the update would fail and what to do instead
    ttl_change: str = ""  # set by expiry: what the update would do to TTL, what to do instead
    stack_policy: str = ""  # set by protection: the stack policy refuses it, and the way round

    @property
    def properties_old(self) -> dict[str, Any]:
        return (self.old or {}).get("Properties") or {}

    @property
    def properties_new(self) -> dict[str, Any]:
        return (self.new or {}).get("Properties") or {}


@dataclass
class SecurityChange:
    sign: str  # "+", "-" or "~"
    resource: str
    kind: str  # "IAM statement", "CORS", "authorization", ...
    detail: str


@dataclass
class StackDiff:
    name: str
    status: str  # added, removed, modified, unchanged
    resources: list[ResourceChange] = field(default_factory=list)
    parameters: list[Change] = field(default_factory=list)
    outputs: list[Change] = field(default_factory=list)
    tags: list[Change] = field(default_factory=list)
    sections: list[Change] = field(default_factory=list)
    security: list[SecurityChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    region: str = ""
    old_template: dict[str, Any] = field(default_factory=dict, repr=False)
    new_template: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def environment(self) -> str:
        return environment_of(self.name)

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


def _resources(old: dict[str, Any], new: dict[str, Any]) -> list[ResourceChange]:
    found = []
    for logical_id in sorted(set(old) | set(new)):
        before, after = old.get(logical_id), new.get(logical_id)
        if before == after:
            continue
        kind = (after or before or {}).get("Type", "?")
        found.append(ResourceChange(logical_id, kind, before, after,
                                    changes(before, after) if before and after else []))
    return found


def _parameters(old: dict[str, Any], new: dict[str, Any], old_t: dict, new_t: dict) -> list[Change]:
    """Config-supplied values, then the template's declarations (type, default...)."""
    found = changes(old.get("parameters", {}), new.get("parameters", {}))
    found += [(("Declared",) + path, a, b) for path, a, b in changes(
        old_t.get("Parameters", {}), new_t.get("Parameters", {}))]
    return found


def _outputs(old_t: dict, new_t: dict) -> list[Change]:
    old, new = old_t.get("Outputs", {}), new_t.get("Outputs", {})
    found: list[Change] = []
    for key in sorted(set(old) | set(new)):
        if key not in old or key not in new:
            found.append(((key,), old.get(key, MISSING), new.get(key, MISSING)))
        else:
            found += changes(old[key], new[key], (key,))
    return found


def stack_diff(name: str, old: Optional[dict[str, Any]],
               new: Optional[dict[str, Any]]) -> StackDiff:
    """The diff of one stack; `old`/`new` are the renderer's entries (None: not there)."""
    old_t = (old or {}).get("template") or {}
    new_t = (new or {}).get("template") or {}
    diff = StackDiff(name, "added" if old is None else "removed" if new is None else "modified",
                     region=(new or old or {}).get("region", ""),
                     old_template=old_t, new_template=new_t)
    diff.resources = _resources(old_t.get("Resources", {}), new_t.get("Resources", {}))
    diff.parameters = _parameters(old or {}, new or {}, old_t, new_t)
    diff.outputs = _outputs(old_t, new_t)
    diff.tags = changes((old or {}).get("tags", {}), (new or {}).get("tags", {}))
    diff.sections = [c for section in SECTIONS for c in changes(
        old_t.get(section, MISSING), new_t.get(section, MISSING), (section,))]
    if diff.status == "removed":
        diff.notes.append("no longer in config/: Sceptre stops managing it and does not delete "
                          "it; the actions below are what deleting the deployed stack does")
    if diff.status == "modified" and not (diff.resources or diff.parameters or diff.outputs
                                          or diff.tags or diff.sections):
        diff.status = "unchanged"
    return diff


def project_diff(old: dict[str, Any], new: dict[str, Any]) -> list[StackDiff]:
    """Every stack of both renderings ({"stacks": {...}}), sorted by name."""
    old_stacks, new_stacks = old["stacks"], new["stacks"]
    return [stack_diff(name, old_stacks.get(name), new_stacks.get(name))
            for name in sorted(set(old_stacks) | set(new_stacks))]
