"""The API contract: one declarative model of routes, parameters, bodies, statuses, headers.

Generated from it: the OpenAPI document (data_api_stack.openapi), API Gateway's request
models and validators (data_api_stack.requests), and so the local API's request checks
(it reads the models back from the launched template). Routes come from routes.routes
and limits from validation; tests check the handler agrees with every schema here.
Schemas are JSON Schema draft 4 (what API Gateway models speak); this module is stdlib
only because it ships in the Lambda zip with the rest of data_api.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from boto3.dynamodb.types import DYNAMODB_CONTEXT

from data_api import errors, etags, jsonio, queries, routes, tokens, validation

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
    "Retry-After": {"description": "Seconds to wait before retrying",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    "Allow": {"description": "The methods this path allows",
              "schema": {"type": "string"}},
    "WWW-Authenticate": {"description": "The scheme to authenticate with",
                         "schema": {"type": "string"}},
}


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path | query | header
    schema: dict[str, Any]
    description: str
    required: bool = False


@dataclass(frozen=True)
class Reply:
    status: int
    description: str
    schema: Optional[str] = None  # a SCHEMAS name; None: no body
    headers: tuple[str, ...] = ()  # HEADERS names


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    operation_id: str
    summary: str
    parameters: tuple[Parameter, ...] = ()
    body: Optional[str] = None  # a MODELS name
    replies: tuple[Reply, ...] = ()


PATH_ID = Parameter("id", "path", ID, "The item's id", required=True)
IF_MATCH = Parameter("If-Match", "header", {"type": "string", "pattern": IF_MATCH_PATTERN},
                     f"Act only if the item is at one of these versions ({ETAG} from its "
                     f"ETag; up to {etags.MAX_TAGS}, comma-separated; weak tags never "
                     "match); `*`: if it exists; absent: unconditionally")
LIMIT = Parameter("limit", "query", {"type": "integer", "minimum": 1,
                                     "maximum": validation.MAX_LIMIT},
                  f"Page size, default {validation.DEFAULT_LIMIT}")
NEXT = Parameter("next", "query", TOKEN,
                 "The `next` of the previous page: the id of its last item, which this page "
                 "starts after (any id is a valid start; pages are in table order, not by id)")


def _error(status: int, code: str, why: str, headers: tuple[str, ...] = ()) -> Reply:
    return Reply(status, f"{code}: {why}", "Error", headers)


BAD_BODY = _error(400, errors.BAD_REQUEST_BODY,
                  "the body is not JSON, breaks its schema or DynamoDB's limits")
BAD_PARAMETERS = _error(400, errors.BAD_REQUEST_PARAMETERS,
                        "a bad id, query parameter or If-Match")
NOT_FOUND = _error(404, errors.NOT_FOUND, "no item with this id")
STALE = _error(412, errors.PRECONDITION_FAILED, "If-Match is not the item's version; the "
               "ETag header has the current one", ("ETag",))
TOO_LARGE = _error(413, errors.REQUEST_TOO_LARGE, f"over {validation.MAX_BODY_BYTES} bytes, "
                   "or an item DynamoDB cannot store")
MEDIA_TYPE = _error(415, errors.UNSUPPORTED_MEDIA_TYPE, "Content-Type is not application/json")
CONFLICT = _error(409, errors.CONFLICT, "an item with this id exists")
# What any operation may answer, whoever answers it (the gateway's own types included).
COMMON = (
    _error(429, errors.THROTTLED, "the stage's rate limit (API Gateway); retry with backoff"),
    _error(500, errors.INTERNAL_ERROR, "quote requestId when reporting it"),
    Reply(502, "The function failed or answered malformed (API Gateway)", "Error"),
    _error(503, errors.THROTTLED, "the table is busy", ("Retry-After",)),
    _error(504, "INTEGRATION_TIMEOUT", "the function did not answer in time (API Gateway)"),
)
# What an environment with access control adds to every operation (HELPERS decision #4).
SECURED = (
    _error(401, errors.UNAUTHORIZED, "no valid credentials (API Gateway)", ("WWW-Authenticate",)),
    _error(403, errors.ACCESS_DENIED, "the caller may not do this (a reader writing)"),
)
ITEM_HEADERS = ("ETag",)

# Each collection's operations: (item route?, method) -> id stem, summary, parameters,
# body, replies. The operation ids of the default collection are the stems themselves
# (listItems...); another collection's put its name in (listOrdersItems...).
_SPECS: dict[tuple[bool, str], tuple[str, str, tuple[Parameter, ...], Optional[str],
                                     tuple[Reply, ...]]] = {
    (False, "GET"): ("list|Items", "List items, one page at a time", (LIMIT, NEXT), None,
                     (Reply(200, "A page of items", "Page"), BAD_PARAMETERS)),
    (False, "POST"): ("create|Item", "Create an item (version 1)", (), "NewItem",
                      (Reply(201, "Created", "Item", ("Location", *ITEM_HEADERS)), BAD_BODY,
                       CONFLICT, TOO_LARGE, MEDIA_TYPE)),
    (True, "GET"): ("get|Item", "Read one item", (PATH_ID, IF_MATCH), None,
                    (Reply(200, "The item", "Item", ITEM_HEADERS), BAD_PARAMETERS, NOT_FOUND,
                     STALE)),
    (True, "PUT"): ("replace|Item", "Replace an item's data (version + 1)", (PATH_ID, IF_MATCH),
                    "ItemChange", (Reply(200, "The item as stored now", "Item", ITEM_HEADERS),
                                   BAD_BODY, BAD_PARAMETERS, NOT_FOUND, STALE, TOO_LARGE,
                                   MEDIA_TYPE)),
    (True, "DELETE"): ("delete|Item", "Delete an item", (PATH_ID, IF_MATCH), None,
                       (Reply(204, "Deleted"), BAD_PARAMETERS, NOT_FOUND, STALE)),
}
# The collection whose operation ids carry no collection name.
DEFAULT_COLLECTION = "data"
# The CORS preflight (cors.preflight_headers, answered for any id, existing or not, and
# never authorized) is browser machinery, not an operation.
PREFLIGHT = "OPTIONS"


def camel_case(collection: str) -> str:
    """A collection's name in CamelCase, as operation ids and logical IDs spell it:
    `order_items` -> OrderItems."""
    return "".join(part.capitalize() for part in collection.split("_"))


def operation_id(stem: str, collection: str) -> str:
    """`list|Items` -> listItems (the default collection), listOrdersItems (`orders`)."""
    verb, noun = stem.split("|")
    name = "" if collection == DEFAULT_COLLECTION else camel_case(collection)
    return verb + name + noun


def _operation(collection: str, path: str, method: str) -> Operation:
    stem, summary, parameters, body, replies = _SPECS[(routes.is_item(path), method)]
    if collection != DEFAULT_COLLECTION:
        summary = f"{summary} ({collection})"
    return Operation(path, method, operation_id(stem, collection), summary, parameters, body,
                     replies + COMMON)


@dataclass(frozen=True)
class Shape:
    """What sets a collection's operations apart: its own body models (when it has a data
    schema) and its index queries (list parameters)."""

    name: str
    path: str
    data_schema: Optional[dict[str, Any]] = field(default=None, hash=False, compare=False)
    queries: tuple[Parameter, ...] = ()

    def model_name(self, base: str) -> str:
        """NewItem for a collection without a schema; OrdersNewItem for `orders` with one."""
        return base if self.data_schema is None else camel_case(self.name) + base

    def models(self) -> dict[str, dict[str, Any]]:
        """Its body models, by name: the shared ones, or its own with `data` held to its
        schema on top of what any stored value must be."""
        if self.data_schema is None:
            return dict(MODELS)
        data = {"allOf": [{"$ref": "#/definitions/Value"}, self.data_schema]}
        return {self.model_name(base): {**schema, "title": self.model_name(base),
                                        "properties": {**schema["properties"], "data": data}}
                for base, schema in MODELS.items()}


def query_parameter(attribute: str, index: str, key_type: str) -> Parameter:
    """GET <path>?<attribute>=<value>: a query on the index of data.<attribute>."""
    if key_type == "S":
        schema = {"type": "string", "minLength": 1, "maxLength": queries.MAX_QUERY_TEXT}
    else:
        schema = {"type": "number", "minimum": -NUMBER_MAX, "maximum": NUMBER_MAX,
                  "not": VALUE["not"]}
    return Parameter(attribute, "query", schema,
                     f"Only the items whose data.{attribute} is this value (index {index}; "
                     "eventually consistent: a write shows up within about a second). "
                     "One index at a time; pages and `next` as the list's, a query's "
                     "`next` only for the same query")


def operations(collections: tuple[Shape, ...]) -> tuple[Operation, ...]:
    """Every operation of these collections, route by route in order."""
    return tuple(_shaped(_operation(shape.name, route, method), shape)
                 for shape in collections
                 for route, methods in routes.routes([shape.path]).items() for method in methods
                 if method != PREFLIGHT)


QUERY_NEXT = Parameter("next", "query", ANY_TOKEN,
                       "The `next` of the previous page: of the list, the id of its last item "
                       "(any id is a valid start); of a query, only for the same query (any "
                       "other answers 400 BAD_REQUEST_PARAMETERS)")


def _shaped(operation: Operation, shape: Shape) -> Operation:
    body = shape.model_name(operation.body) if operation.body else None
    if not (shape.queries and operation.path == shape.path and operation.method == "GET"):
        return replace(operation, body=body)
    parameters = tuple(QUERY_NEXT if p is NEXT else p for p in operation.parameters)
    return replace(operation, body=body, parameters=parameters + shape.queries)


# The default collection's operations (an environment that names no other).
OPERATIONS: tuple[Operation, ...] = operations((Shape(DEFAULT_COLLECTION, routes.COLLECTION),))


def operation(path: str, method: str) -> Operation:
    """The operation of a route of any collection: the same parameters, body and replies
    on every collection's routes (its id and summary are the default collection's)."""
    route = routes.item_path(routes.COLLECTION) if routes.is_item(path) else routes.COLLECTION
    return next(op for op in OPERATIONS if op.path == route and op.method == method)
