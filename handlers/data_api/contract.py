"""The API contract: one declarative model of routes, parameters, bodies, statuses, headers.

Generated from it: the OpenAPI document (data_api_stack.openapi), API Gateway's request
models and validators (data_api_stack.requests), and so the local API's request checks
(it reads the models back from the launched template). Routes come from routes.routes
and limits from validation; tests check the handler agrees with every schema here.
Schemas are JSON Schema draft 4 (what API Gateway models speak), in contract_schemas;
this module is stdlib only because it ships in the Lambda zip with the rest of data_api.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional

from data_api import errors, etags, idempotency, queries, routes, validation
from data_api.contract_schemas import (  # noqa: F401  (the contract's names)
    DRAFT4, JSON_MEDIA_TYPE, NUMBER_MAX, NUMBER_TINY, ID, TOKEN, VALUE, NEW_ITEM,
    ITEM_CHANGE, MODELS, TIMESTAMP, VERSION_PATTERN, ITEM, ANY_TOKEN, PAGE, ERROR, SCHEMAS,
    ETAG, IF_MATCH_PATTERN, HEADERS)


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
IDEMPOTENCY_KEY = Parameter(
    idempotency.HEADER, "header", {"type": "string", "pattern": idempotency.PATTERN},
    "Makes a retry safe (IETF draft \"The Idempotency-Key HTTP Header Field\"): "
    f"{idempotency.RULE}. A retry with the same key and body, from the same caller on the "
    "same collection within 24 hours, gets the first answer (status, item, ETag, Location "
    f"and `{idempotency.REPLAYED_HEADER}: true`) and writes nothing; with another body it "
    "is 422. Absent: every POST creates an item")
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
# POST's 409: the id is taken, or the first request with this Idempotency-Key is being
# written at this very instant (its answer is there after Retry-After).
CREATE_CONFLICT = _error(409, f"{errors.CONFLICT} or {errors.REQUEST_IN_PROGRESS}",
                         "an item with this id exists (CONFLICT), or the first request "
                         "with this Idempotency-Key is being written (REQUEST_IN_PROGRESS: "
                         "retry after Retry-After)", ("Retry-After",))
KEY_REUSED = _error(422, errors.IDEMPOTENCY_KEY_REUSED, "this Idempotency-Key came with "
                    "another request in the last 24 hours")
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
    (False, "POST"): ("create|Item", "Create an item (version 1)", (IDEMPOTENCY_KEY,),
                      "NewItem", (Reply(201, "Created", "Item", ("Location", *ITEM_HEADERS,
                                                                 idempotency.REPLAYED_HEADER)),
                                  BAD_BODY, BAD_PARAMETERS, CREATE_CONFLICT, KEY_REUSED,
                                  TOO_LARGE, MEDIA_TYPE)),
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
