"""Global secondary indexes: CloudFormation adds or deletes at most one per table in one
stack update ("You can create or delete only one global secondary index per UpdateStack
operation", AWS::DynamoDB::Table in the CloudFormation docs); an update that adds two fails
and rolls back. The schema cfn-lint ships says it too, under GlobalSecondaryIndexes: "You
can delete or add one global secondary index without interruption. If you do both in the
same update (for example, by changing the index's logical ID), the update fails." A new
table is created with all its indexes at once, and a replaced one is a new table: neither
is limited."""

from __future__ import annotations

from typing import Any

from stack_review.values import compact


def _index_name(index: dict[str, Any]) -> str:
    name = index.get("IndexName")
    return name if isinstance(name, str) else compact(name)


def _definition(index: dict[str, Any], properties: dict[str, Any]) -> Any:
    """What DynamoDB cannot change in place: the key (with each key attribute's type) and
    the projection. Throughput and contributor insights update in place."""
    types = {a.get("AttributeName"): a.get("AttributeType")
             for a in properties.get("AttributeDefinitions", []) if isinstance(a, dict)}
    key = [(k.get("AttributeName"), k.get("KeyType"), types.get(k.get("AttributeName")))
           for k in index.get("KeySchema", []) if isinstance(k, dict)]
    return key, index.get("Projection")


def indexes(properties: dict[str, Any]) -> dict[str, Any]:
    """{index name: definition}, in template order ({} when not a plain list)."""
    found = properties.get("GlobalSecondaryIndexes", [])
    if not isinstance(found, list):
        return {}
    return {_index_name(i): _definition(i, properties) for i in found if isinstance(i, dict)}


def steps(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """(index name, "added" | "removed" | ...) for each index created or deleted, in an
    order that can be launched: additions, removals, then each redefined index removed
    and added back."""
    before, after = indexes(old), indexes(new)
    redefined = [name for name in after if name in before and after[name] != before[name]]
    return ([(name, "added") for name in after if name not in before]
            + [(name, "removed") for name in before if name not in after]
            + [step for name in redefined for step in (
                (name, "removed"), (name, "added back with its new key or projection"))])


def finding(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What is wrong and what to do instead ("" when the update is within the limit)."""
    planned = steps(old, new)
    if len(planned) <= 1:
        return ""
    removed = sum(what == "removed" for _, what in planned)
    added = len(planned) - removed
    counted = " and ".join(part for part in (
        f"creates {added}" if added else "", f"deletes {removed}" if removed else "") if part)
    verb = "add" if not removed else "remove" if not added else "add or remove"
    names = ", ".join(dict.fromkeys(name for name, _ in planned))
    launches = [f"{name} {what}" for name, what in planned]
    return (f"{counted} global secondary indexes ({names}) in one update: CloudFormation "
            f"creates or deletes one per table per update, so it would fail and roll back; "
            f"{verb} one index per launch: launch with {launches[0]}"
            + "".join(f", then again with {step}" for step in launches[1:])
            + f" ({len(launches)} launches)")
