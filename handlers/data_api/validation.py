"""Validation: an API Gateway proxy (v1) event -> a typed request, or a 4xx ApiError."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Optional

from data_api import data_schema, etags, itemsize, jsonio
from data_api.collection_env import Settings
from data_api.mirrors import expired, mirrors_of, now
from data_api.errors import (UNSUPPORTED_MEDIA_TYPE, ApiError, bad_body, bad_parameter,
                             too_large)

# Item ids are safe by construction (HELPERS.md decision #2): RFC 3986 unreserved
# characters only, so an id never needs percent-encoding and reads the same in a
# path, a Location header, a log line and DynamoDB; it cannot be "." or "..".
# API Gateway hands a REST proxy event's pathParameters over as sent on the wire,
# still percent-encoded: aws/chalice#511 (GET /cities/Los%20Angeles gives the handler
# "Los%20Angeles"), aws/chalice#688 (`first|last` arrives as "first%7Clast"),
# aws/aws-sam-cli#771 (Desktop%2Fphotos%2Fcat.png stays encoded on AWS, sam local
# decoded it), serverless/serverless#5037 (%40 stays %40). So the handler never
# decodes them, and with this rule it never needs to: `a%20b` is not a valid id (400).
MAX_ID_LENGTH = 256
ID_PATTERN = rf"^[A-Za-z0-9_~-][A-Za-z0-9._~-]{{0,{MAX_ID_LENGTH - 1}}}$"
ID_RULE = (f"1-{MAX_ID_LENGTH} characters from A-Z a-z 0-9 - . _ ~ (RFC 3986 unreserved), "
           "not starting with '.'")
_ID = re.compile(ID_PATTERN)
MAX_BODY_BYTES = 400 * 1024  # DynamoDB's item limit; a larger body cannot be stored
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
BODY_FIELDS = frozenset({"id", "data"})  # POST: an id may be chosen
REPLACE_FIELDS = frozenset({"data"})  # PUT: the id is the path's and cannot change


@dataclass(frozen=True)
class Create:
    item_id: Optional[str]
    data: Any


@dataclass(frozen=True)
class Replace:
    item_id: str
    data: Any
    if_match: Optional[etags.IfMatch]


@dataclass(frozen=True)
class ItemRef:
    item_id: str
    if_match: Optional[etags.IfMatch] = None


@dataclass(frozen=True)
class ListPage:
    limit: int
    token: Optional[str]


def headers(event: dict) -> dict[str, str]:
    """Request headers with lower-case names; null-safe."""
    raw = event.get("headers") or {}
    return {str(name).lower(): str(value) for name, value in raw.items() if value is not None}


def header_value(event: dict, name: str) -> Optional[str]:
    """One request header (any case); given twice is a 400 rather than a silent pick (API
    Gateway's `headers` keeps only the last; `multiValueHeaders` has them all)."""
    multi = event.get("multiValueHeaders") or {}
    values = [v for key, found in multi.items() if str(key).lower() == name.lower()
              for v in (found or [])]
    if len(values) > 1:
        raise bad_parameter(f"header {name} given {len(values)} times; give it once")
    return headers(event).get(name.lower())


def query_value(event: dict, name: str) -> Optional[str]:
    """One query parameter; given twice is a 400 rather than a silent pick."""
    multi = event.get("multiValueQueryStringParameters") or {}
    values = multi.get(name)
    if values is not None and len(values) > 1:
        raise bad_parameter(f"query parameter {name!r} given {len(values)} times; give it once")
    single = (event.get("queryStringParameters") or {}).get(name)
    return single if single is not None else (values[0] if values else None)


def check_id(value: Any, where: str = "id", error: Callable[[str], ApiError] = bad_body) -> str:
    """An id (body, path or page token): ID_PATTERN, else a 400 naming the rule."""
    if not isinstance(value, str):
        raise error(f"{where} must be a string of {ID_RULE}")
    if not _ID.fullmatch(value):
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise error(f"{where} {shown!r} is not a valid id: use {ID_RULE}")
    return value


def path_id(event: dict) -> str:
    """The {id} path parameter exactly as API Gateway hands it over (never decoded)."""
    return check_id((event.get("pathParameters") or {}).get("id"), "path id", bad_parameter)


def if_match(event: dict) -> Optional[etags.IfMatch]:
    return etags.parse_if_match(headers(event).get("if-match"))


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


# What the handler adds to every item it writes, at the largest size each can take:
# ISO timestamps, the version counter (up to 18 digits) and the incarnation.
_METADATA = {"created_at": "2000-01-01T00:00:00.000Z", "updated_at": "2000-01-01T00:00:00.000Z",
             etags.VERSION_ATTRIBUTE: Decimal("9" * 18), etags.INCARNATION_ATTRIBUTE: "f" * 16}


def _check_item_size(item_id: str, data: Any, settings: Optional[Settings]) -> None:
    """413 before calling DynamoDB when the stored item would exceed its 400 KB limit,
    counted as DynamoDB counts it (itemsize), not as JSON's length, with the collection's
    top-level mirrors of `data` fields (mirrors)."""
    mirrored = mirrors_of(settings.mirrors, data) if settings is not None else {}
    size = itemsize.item_size({"id": item_id, "data": data, **_METADATA, **mirrored})
    if size > itemsize.MAX_ITEM_BYTES:
        raise too_large(f"the item would be {size} bytes as DynamoDB counts them; the limit "
                        f"is {itemsize.MAX_ITEM_BYTES} (numbers and list elements count extra)")


def check_data(settings: Optional[Settings], data: Any) -> None:
    """400 BAD_REQUEST_BODY naming each place `data` breaks its collection's schema, or
    an expiry already past: the item would be gone on arrival (storage), so a write
    would answer with an item no read could ever return."""
    if settings is None:
        return
    found = data_schema.first_problems(settings.schema, data) if settings.schema else []
    if found:
        raise bad_body("data does not match the collection's schema: " + "; ".join(found))
    expiry = mirrors_of(settings.mirrors, data).get(settings.ttl) if settings.ttl else None
    if expired(expiry):
        raise bad_body(f"data.{settings.ttl} is {expiry}, already past (epoch seconds; now "
                       f"is {now()}): the item would expire on arrival; give a "
                       "later time, or leave the field out")


def create(event: dict, settings: Optional[Settings] = None) -> Create:
    if headers(event).get("if-match") is not None:
        raise bad_parameter("If-Match has no meaning on POST, which only creates (an existing "
                            "id is a 409); use PUT on the item's own path with If-Match "
                            "to change it")
    body = _json_object(event)
    item_id = check_id(body["id"]) if "id" in body else None
    check_data(settings, body["data"])
    _check_item_size(item_id or str(uuid.UUID(int=0)), body["data"], settings)
    return Create(item_id=item_id, data=body["data"])


def replace(event: dict, settings: Optional[Settings] = None) -> Replace:
    item_id = path_id(event)
    condition = if_match(event)
    body = _json_object(event, REPLACE_FIELDS)
    check_data(settings, body["data"])
    _check_item_size(item_id, body["data"], settings)
    return Replace(item_id=item_id, data=body["data"], if_match=condition)


def item(event: dict) -> ItemRef:
    return ItemRef(item_id=path_id(event), if_match=if_match(event))


def list_page(event: dict) -> ListPage:
    raw_limit = query_value(event, "limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        # Length first: int() of thousands of digits is refused by Python's digit limit.
        if not (raw_limit.isascii() and raw_limit.isdigit() and len(raw_limit) <= 3
                and 1 <= int(raw_limit) <= MAX_LIMIT):
            raise bad_parameter(f"limit must be a whole number from 1 to {MAX_LIMIT}, "
                                f"got {raw_limit[:20]!r}{'...' if len(raw_limit) > 20 else ''}")
        limit = int(raw_limit)
    return ListPage(limit=limit, token=query_value(event, "next"))  # tokens.decode checks it
