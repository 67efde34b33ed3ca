"""What both formats and the exit code share: the review of a project, counted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from stack_review import expiry, exports, impact, indexes, protection, security
from stack_review.diff import ResourceChange, StackDiff, project_diff
from stack_review.discovery import group

FAIL_ON = ("replacement", "destroy", "security", "gsi-limit", "ttl-change", "stack-policy",
           "any")
# A kept table's update that would not do what the template asks: (its --fail-on name, the
# ResourceChange field its message is in, the marker both formats show).
FINDINGS = (("gsi-limit", "gsi_limit", "GSI LIMIT"), ("ttl-change", "ttl_change", "TTL CHANGE"),
            ("stack-policy", "stack_policy", "STACK POLICY"))
ACTIONS = ("add", "update", "may replace", "replace", "destroy", "orphan")


@dataclass
class Review:
    base: str  # how the two sides are named in the report
    head: str
    stacks: list[StackDiff] = field(default_factory=list)

    @property
    def environments(self) -> dict[str, list[StackDiff]]:
        by_name = {s.name: s for s in self.stacks}
        return {env: [by_name[n] for n in names]
                for env, names in group(by_name).items()}

    @property
    def changed(self) -> list[StackDiff]:
        return [s for s in self.stacks if s.changed]

    def resources(self) -> list[tuple[StackDiff, ResourceChange]]:
        return [(s, r) for s in self.stacks for r in s.resources]


# A table kept across the update (not new, not replaced): what one update cannot change
# of its indexes (indexes) and of its TTL (expiry).
TABLE_TYPES = {"AWS::DynamoDB::Table"}
KEPT = ("update", "may replace")


def _tables(diff: StackDiff) -> StackDiff:
    for change in diff.resources:
        if change.type in TABLE_TYPES and change.action in KEPT:
            change.gsi_limit = indexes.finding(change.properties_old, change.properties_new)
            change.ttl_change = expiry.finding(change.properties_old, change.properties_new)
    return diff


def build(base: str, head: str, old: dict[str, Any], new: dict[str, Any]) -> Review:
    """The full review of two renderings ({"stacks": {...}} each)."""
    diffs = project_diff(old, new)
    for diff in diffs:
        security.review(_tables(impact.assess(diff)))
        protection.review(diff, old["stacks"].get(diff.name) or {},
                          new["stacks"].get(diff.name) or {})
    exports.check(diffs, old, new)
    return Review(base, head, diffs)


def counts(stack: StackDiff) -> Counter[str]:
    return Counter(r.action for r in stack.resources)


def data_losses(review: Review) -> list[tuple[StackDiff, ResourceChange]]:
    return [(s, r) for s, r in review.resources() if r.data_loss]


def findings(change: ResourceChange) -> list[tuple[str, str]]:
    """(marker, message) of each finding on the change, in FINDINGS order."""
    return [(marker, getattr(change, field)) for _, field, marker in FINDINGS
            if getattr(change, field)]


def flagged(review: Review) -> list[tuple[StackDiff, ResourceChange, str, str]]:
    """(stack, change, marker, message) of every finding, by finding, then stack."""
    return [(s, r, marker, getattr(r, field)) for _, field, marker in FINDINGS
            for s, r in review.resources() if getattr(r, field)]


def gsi_limits(review: Review) -> list[tuple[StackDiff, ResourceChange]]:
    return [(s, r) for s, r in review.resources() if r.gsi_limit]


def ttl_changes(review: Review) -> list[tuple[StackDiff, ResourceChange]]:
    return [(s, r) for s, r in review.resources() if r.ttl_change]


def failures(review: Review, fail_on: list[str]) -> list[str]:
    """Why the run fails under --fail-on (empty: it does not)."""
    found = []
    for s, r in review.resources():
        if "replacement" in fail_on and r.action in ("replace", "may replace"):
            found.append(f"{s.name} {r.logical_id}: {r.action}")
        if "destroy" in fail_on and r.action in ("destroy", "orphan") and impact.is_stateful(r):
            found.append(f"{s.name} {r.logical_id}: {r.action} ({r.data_loss})")
        found += [f"{s.name} {r.logical_id}: {getattr(r, field)}"
                  for kind, field, _ in FINDINGS if kind in fail_on and getattr(r, field)]
    if "security" in fail_on:
        found += [f"{s.name}: {len(s.security)} security change(s)"
                  for s in review.stacks if s.security]
    if "any" in fail_on and review.changed:
        found.append(f"{len(review.changed)} stack(s) change")
    return found


def headline(review: Review) -> str:
    """One sentence: what changes, the worst first."""
    if not review.changed:
        return f"No changes in {len(review.stacks)} stacks."
    total: Counter[str] = Counter()
    for stack in review.stacks:
        total += counts(stack)
    parts = [f"{len(review.changed)} of {len(review.stacks)} stacks change"]
    parts += [f"{total[a]} {a}" for a in reversed(ACTIONS) if total[a]]
    losses = data_losses(review)
    if losses:
        parts.append(f"{len(losses)} DATA LOSS marker(s)")
    marked = [marker for _, _, marker, _ in flagged(review)]
    parts += [f"{marked.count(m)} {m} marker(s)" for _, _, m in FINDINGS if m in marked]
    security_count = sum(len(s.security) for s in review.stacks)
    if security_count:
        parts.append(f"{security_count} security change(s)")
    return ", ".join(parts) + "."
