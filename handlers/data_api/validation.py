"""Validation: an API Gateway proxy (v1) event -> a typed request, or a 4xx ApiError."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Callable, Optional

from data_api import jsonio
from data_api.errors import (UNSUPPORTED_MEDIA_TYPE, ApiError, bad_body, bad_parameter,
                             too_large)

MAX_ID_LENGTH = 256
MAX_BODY_BYTES = 400 * 1024  # DynamoDB's item limit; a larger body cannot be stored
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
BODY_FIELDS = frozenset({"id", "data"})  # POST and PUT bodies alike


@dataclass(frozen=True)
class Create:
    item_id: Optional[str]
    data: Any


@dataclass(frozen=True)
class Replace:
    item_id: str
    data: Any
    if_match: Optional[int]


@dataclass(frozen=True)
class ItemRef:
    item_id: str
    if_match: Optional[int] = None


@dataclass(frozen=True)
class ListPage:
    limit: int
    token: Optional[str]


def headers(event: dict) -> dict[str, str]:
    """Request headers with lower-case names; null-safe."""
    raw = event.get("headers") or {}
    return {str(name).lower(): str(value) for name, value in raw.items() if value is not None}


def _query(event: dict, name: str) -> Optional[str]:
    """One query parameter; given twice is a 400 rather than a silent pick."""
    multi = event.get("multiValueQueryStringParameters") or {}
    values = multi.get(name)
    if values is not None and len(values) > 1:
        raise bad_parameter(f"query parameter {name!r} given {len(values)} times; give it once")
    single = (event.get("queryStringParameters") or {}).get(name)
    return single if single is not None else (values[0] if values else None)


def check_id(value: Any, where: str = "id", error: Callable[[str], ApiError] = bad_body) -> str:
    if not isinstance(value, str):
        raise error(f"{where} must be a string")
    if not value.strip():
        raise error(f"{where} must not be empty")
    if len(value) > MAX_ID_LENGTH:
        raise error(f"{where} is longer than {MAX_ID_LENGTH} characters")
    if not value.isprintable():
        raise error(f"{where} must contain printable characters only")
    jsonio.check_storable(value, where)
    return value


def path_id(event: dict) -> str:
    return check_id((event.get("pathParameters") or {}).get("id"), "path id", bad_parameter)


def if_match(event: dict) -> Optional[int]:
    """`If-Match: 3`, `"3"` or `W/"3"` -> 3; `*` or absent -> None."""
    value = headers(event).get("if-match")
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise bad_parameter(f"If-Match must be an item version like \"3\", got {value!r}")
    return int(text)


def _body_text(event: dict) -> str:
    body = event.get("body")
    if body is None or not isinstance(body, str):
        raise bad_body("request body is required: a JSON object")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise bad_body("body is marked base64 but is not valid base64") from None
    else:
        raw = body.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_BODY_BYTES:
        raise too_large(f"body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_body("body is not valid UTF-8") from None
    if not text.strip():
        raise bad_body("request body is empty: send a JSON object")
    return text


def _json_object(event: dict, allowed: frozenset[str] = BODY_FIELDS) -> dict:
    content_type = headers(event).get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(415, UNSUPPORTED_MEDIA_TYPE,
                       f"Content-Type must be application/json, got {content_type or 'none'!r}")
    value = jsonio.parse_json(_body_text(event))
    if not isinstance(value, dict):
        raise bad_body(f"body must be a JSON object, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise bad_body(f"unknown field(s) {', '.join(map(repr, unknown))}; "
                          f"allowed: {', '.join(sorted(allowed))}")
    if "data" not in value:
        raise bad_body("field 'data' is required")
    jsonio.check_storable(value["data"])
    return value


def create(event: dict) -> Create:
    body = _json_object(event)
    item_id = check_id(body["id"]) if "id" in body else None
    return Create(item_id=item_id, data=body["data"])


def replace(event: dict) -> Replace:
    item_id = path_id(event)
    body = _json_object(event)
    if "id" in body and body["id"] != item_id:
        raise bad_body("body id differs from the id in the path; ids cannot be changed")
    return Replace(item_id=item_id, data=body["data"], if_match=if_match(event))


def item(event: dict) -> ItemRef:
    return ItemRef(item_id=path_id(event), if_match=if_match(event))


def list_page(event: dict) -> ListPage:
    raw_limit = _query(event, "limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise bad_parameter(f"limit must be a whole number from 1 to {MAX_LIMIT}, "
                              f"got {raw_limit!r}")
        limit = int(raw_limit)
    token = _query(event, "next")
    if token is not None and not token:
        raise bad_parameter("next must not be empty")
    return ListPage(limit=limit, token=token)
