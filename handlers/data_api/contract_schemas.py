"""The contract's JSON shapes: bodies, items, pages, errors and headers (JSON Schema
draft 4, what API Gateway models speak), named for data_api.contract and the OpenAPI
document. Stdlib and boto3's decimal context only: it ships in the Lambda zip.
"""

from __future__ import annotations

import math
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT

from data_api import errors, etags, jsonio, tokens, validation

DRAFT4 = "http://json-schema.org/draft-04/schema#"
JSON_MEDIA_TYPE = "application/json"

# DynamoDB's number range as the closest doubles inside it (jsonio checks the exact one:
# 1E-130 <= |n| < 1E+126). A JSON reader turns 1E+126 into a double just below it, and
# that double's shortest spelling is "1e+126" again, which DynamoDB refuses: hence nextafter.
NUMBER_MAX = math.nextafter(10.0 ** (jsonio.MAX_ADJUSTED + 1), 0)
NUMBER_TINY = math.nextafter(10.0 ** jsonio.MIN_ADJUSTED, 0)  # |n| <= this (not 0): refused

ID = {
    "type": "string", "minLength": 1, "maxLength": validation.MAX_ID_LENGTH,
    "pattern": validation.ID_PATTERN,
    "description": f"{validation.ID_RULE}; chosen by the client on POST, else a UUID",
}
# A page token (tokens.py): the id the next page starts after; any string this allows is
# a token the handler accepts, so a client may also start a listing after an id it chose.
TOKEN = {
    "type": "string", "minLength": 1, "maxLength": tokens.MAX_LENGTH,
    "pattern": tokens.PATTERN,
    "description": "The id of the previous page's last item; this page starts after it",
}
# Any JSON value DynamoDB stores exactly. Depth and significant digits are not expressible
# in draft 4; the handler checks them (400 BAD_REQUEST_BODY).
VALUE = {
    "description": "Any JSON value DynamoDB can store: numbers 0 or 1E-130 <= |n| < 1E+126 "
                   f"with at most {DYNAMODB_CONTEXT.prec} significant digits, non-empty object "
                   f"keys, nested at most {jsonio.MAX_DEPTH} levels",
    "type": ["object", "array", "string", "number", "boolean", "null"],
    "minimum": -NUMBER_MAX, "maximum": NUMBER_MAX,
    "not": {"type": "number", "minimum": -NUMBER_TINY, "maximum": NUMBER_TINY,
            "not": {"enum": [0]}},
    "items": {"$ref": "#/definitions/Value"},
    # Any key with at least one character; draft 4 has no propertyNames.
    "patternProperties": {"[\\s\\S]": {"$ref": "#/definitions/Value"}},
    "additionalProperties": False,
}
NEW_ITEM = {
    "$schema": DRAFT4, "title": "NewItem", "type": "object",
    "description": "POST body: the item's data, and optionally its id (else a UUID)",
    "properties": {"id": ID, "data": {"$ref": "#/definitions/Value"}},
    "required": ["data"], "additionalProperties": False,
    "definitions": {"Value": VALUE},
}
ITEM_CHANGE = {
    "$schema": DRAFT4, "title": "ItemChange", "type": "object",
    "description": "PUT body: the item's new data (its id is the one in the path)",
    "properties": {"data": {"$ref": "#/definitions/Value"}},
    "required": ["data"], "additionalProperties": False,
    "definitions": {"Value": VALUE},
}
# Request bodies API Gateway validates: model name (alphanumeric) -> draft 4 schema.
MODELS: dict[str, dict[str, Any]] = {"NewItem": NEW_ITEM, "ItemChange": ITEM_CHANGE}

TIMESTAMP = {"type": "string", "description": "UTC, ISO 8601 with milliseconds"}
VERSION_PATTERN = etags.VERSION_PATTERN
ITEM = {
    "type": "object", "description": "A stored item",
    "properties": {"id": ID, "data": {"$ref": "#/definitions/Value"},
                   "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
                   "version": {"type": "string", "pattern": VERSION_PATTERN,
                               "description": "The ETag's value: changes on every write and "
                                              "never repeats for an id (absent on items "
                                              "written by other tools)"}},
    "required": ["id", "data", "created_at", "updated_at"],
}
# A list's token, or a query's (tokens.py): `.<tag>.<id>`, good for that query only.
ANY_TOKEN = {
    "type": "string", "minLength": 1, "maxLength": tokens.ANY_MAX_LENGTH,
    "pattern": tokens.ANY_PATTERN,
    "description": "The list's: the id of the previous page's last item. A query's: "
                   "`.<tag>.<id>`, accepted only by the same query",
}
PAGE = {
    "type": "object", "description": "One page of items, in table order",
    "properties": {"items": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
                   "count": {"type": "integer", "minimum": 0},
                   "next": {**ANY_TOKEN, "description": "Pass as ?next= for the following "
                                                         "page (with the same query, if any); "
                                                         "absent on the last page"}},
    "required": ["items", "count"], "additionalProperties": False,
}
ERROR = {
    "type": "object", "description": "Every error, from the function or the gateway alike",
    "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$",
                                "description": "One of " + ", ".join(errors.CODES)
                                + ", or another API Gateway response type"},
                       "message": {"type": "string"},
                       "requestId": {"type": "string",
                                     "description": "Quote it when reporting a 5XX"}}}},
    "required": ["error"],
}
# Every named shape; "#/definitions/<name>" references resolve here.
SCHEMAS: dict[str, dict[str, Any]] = {"Value": VALUE, **MODELS, "Item": ITEM, "Page": PAGE,
                                      "Error": ERROR}

ETAG = '"<version>"'
# If-Match as etags.parse_if_match reads it (RFC 9110): `*`, or a comma-separated list of
# entity-tags, of which at most etags.MAX_TAGS strong ones (weak ones never match).
_WEAK = r'\s*W/"[\x21\x23-\x7e]*"\s*(?:,|$)'
_STRONG = r'\s*"[\x21\x23-\x7e]*"\s*(?:,|$)'
IF_MATCH_PATTERN = (rf'^\s*\*\s*$|^(?=\s*(?:W/)?")(?:{_WEAK})*'
                    rf'(?:{_STRONG}(?:{_WEAK})*){{0,{etags.MAX_TAGS}}}$')
HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": f"The item's version as an entity tag, {ETAG}",
             "schema": {"type": "string",
                        "pattern": '^"' + VERSION_PATTERN.strip("^$") + '"$'}},
    "Location": {"description": "Path of the new item, stage prefix included",
                 "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true`: this answer is the first answer to a "
                            "request with the same Idempotency-Key, replayed",
                            "schema": {"type": "string", "enum": ["true"]}},
    "Retry-After": {"description": "Seconds to wait before retrying",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    "Allow": {"description": "The methods this path allows",
              "schema": {"type": "string"}},
    "WWW-Authenticate": {"description": "The scheme to authenticate with",
                         "schema": {"type": "string"}},
}
