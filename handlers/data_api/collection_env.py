"""Which collections this function serves: route path -> DynamoDB table name.

The template writes them into the function's environment as one JSON object
(`COLLECTIONS`, e.g. {"/data": "serverless-data-dev-items"}); the handler routes a
request to the table of the collection API Gateway matched. Read on each request
(parsed once per distinct value), so a process serving several stacks locally
always routes by the environment it was given.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Mapping

ENV = "COLLECTIONS"


def encode(tables: Mapping[str, str]) -> str:
    """The variable's value for these collections (path -> table)."""
    return json.dumps(dict(tables), separators=(",", ":"))


@lru_cache(maxsize=8)
def decode(raw: str) -> dict[str, str]:
    """The variable's value parsed; ValueError if it is not a non-empty path -> table map."""
    tables = json.loads(raw)
    if not isinstance(tables, dict) or not tables or not all(
            isinstance(k, str) and k.startswith("/") and isinstance(v, str) and v
            for k, v in tables.items()):
        raise ValueError(f"{ENV} must map collection paths to table names, got {raw!r}")
    return tables


def tables() -> dict[str, str]:
    """Collection path -> table name; ValueError (a 500, logged) if the variable is
    missing or malformed: the template always sets it."""
    raw = os.environ.get(ENV)
    if not raw:
        raise ValueError(f"the function's environment has no {ENV} variable")
    return decode(raw)
