"""The OpenAPI security of one environment: schemes and per-operation requirements.

Today every environment's data methods are open (AuthorizationType NONE in api.py), so
there is nothing to declare: no schemes, and no requirement on any operation.
"""

from __future__ import annotations

from typing import Any, Optional

from data_api_stack.config import StackConfig


def schemes(cfg: StackConfig) -> dict[str, Any]:
    """components.securitySchemes for the environment's auth."""
    return {}


def requirement(cfg: StackConfig, method: str) -> Optional[list[dict[str, list[str]]]]:
    """An operation's `security`, or None to declare none."""
    return None
