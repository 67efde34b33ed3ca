"""The conditions of a write to an existing item: it exists, its version is a number
(or absent: written by another tool), and, with If-Match, it is at one of the listed
versions (strong comparison)."""

from __future__ import annotations

from typing import Optional

from data_api.etags import INCARNATION_ATTRIBUTE, VERSION_ATTRIBUTE, IfMatch

NAMES = {"#version": VERSION_ATTRIBUTE, "#incarnation": INCARNATION_ATTRIBUTE}


class Impossible(Exception):
    """If-Match names no version any item can have: the write cannot happen."""


def write_condition(if_match: Optional[IfMatch]) -> tuple[str, dict[str, dict[str, str]]]:
    """The item exists, its version is a number (or absent: written by another tool)
    and, with If-Match, it is at one of the listed versions (strong comparison)."""
    condition = ("attribute_exists(id) AND (attribute_not_exists(#version) "
                 "OR attribute_type(#version, :number))")
    values: dict[str, dict[str, str]] = {":number": {"S": "N"}}
    if if_match is None or if_match.any:
        return condition, values
    alternatives = []
    for index, (counter, incarnation) in enumerate(if_match.versions()):
        values[f":v{index}"] = {"N": str(counter)}
        if incarnation is None:  # a version written before incarnations (another tool)
            alternatives.append(f"#version = :v{index} AND attribute_not_exists(#incarnation)")
        else:
            values[f":i{index}"] = {"S": incarnation}
            alternatives.append(f"#version = :v{index} AND #incarnation = :i{index}")
    if not alternatives:
        raise Impossible()
    # DynamoDB refuses redundant parentheses, so only several alternatives get them.
    tags = alternatives[0] if len(alternatives) == 1 else " OR ".join(f"({a})" for a in alternatives)
    return f"{condition} AND ({tags})", values
