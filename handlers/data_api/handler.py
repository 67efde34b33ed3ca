"""Lambda entry point: routing only. Validation is in validation, storage in storage."""

from __future__ import annotations

import gc
import os
import time
from typing import Any, Callable, Optional

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from data_api import (authz, aws_client, collection_env, errors, idempotency, logs, queries,
                      records, responses, routes, validation)
from data_api.collection_env import Settings
from data_api.errors import ApiError
from data_api.storage import Storage

LOG = logs.configure()
THROTTLE_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException",
                            "RequestLimitExceeded"})
# A cancelled transaction's reasons when a table was too busy.
TRANSACTION_THROTTLES = frozenset({"ProvisionedThroughputExceeded", "ThrottlingError"})
RETRY_AFTER_SECONDS = "1"
INDEX_RETRY_SECONDS = "60"

_client: Optional[Any] = None


def dynamodb() -> Any:
    """One client per container, created once (at init on Lambda, else on first use),
    shared by every collection's table."""
    global _client
    if _client is None:
        # Timeouts and retries that end before the function's own timeout (aws_client).
        _client = aws_client.dynamodb_client()
        # botocore's loaded models are ~100k long-lived objects: without this, a full
        # garbage collection walks them all (~20 ms) during a request now and then.
        gc.freeze()
    return _client


def default_storage(collection: Settings) -> Storage:
    """The storage of one collection's table, through the container's client."""
    return Storage(dynamodb(), collection)


if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
    dynamodb()  # during Lambda's init phase, not the first request


def _origin() -> str:
    return os.environ.get("CORS_ORIGIN", "*")


def _location(event: dict, collection: str, item_id: str) -> str:
    """Location of a new item, with the stage prefix the client used (if any). Ids
    match validation.ID_PATTERN, so they never need percent-encoding."""
    full = str((event.get("requestContext") or {}).get("path") or "")
    own = str(event.get("path") or "")
    prefix = full[: -len(own)] if own and full.endswith(own) else ""
    return f"{prefix}{collection}/{item_id}"


def _route(event: dict, method: str, tables: dict[str, Settings]) -> str:
    """The route template API Gateway matched (`resource`, always set in a REST proxy
    event) among the collections' routes. API Gateway itself answers unknown paths
    (404) and other methods (405, with MOCK methods) and OPTIONS (MOCK preflight), so
    this guard is reached only by a direct invocation of the function with some other
    event; it still answers as the gateway would, never with a 500."""
    route = event.get("resource")
    known = routes.routes(tables)
    if not isinstance(route, str) or route not in known:
        raise ApiError(404, errors.NOT_FOUND, routes.unknown_route_message(tables))
    data_methods = tuple(m for m in known[route] if m != "OPTIONS")
    if method not in data_methods:
        raise ApiError(405, errors.METHOD_NOT_ALLOWED, f"{method or 'no method'} is not allowed "
                       f"on {route}", {"Allow": ", ".join(known[route])})
    return route


def _created_headers(event: dict, collection: str, item: dict) -> dict[str, str]:
    return {**responses.item_headers(item), "Location": _location(event, collection, item["id"])}


def _create(event: dict, collection: str, settings: Settings, storage: Storage,
            caller: authz.Caller) -> dict:
    """POST: a new item; with an Idempotency-Key, once per caller, collection and key."""
    request = validation.create(event, settings)
    key = idempotency.requested_key(validation.header_value(event, idempotency.HEADER))
    if key is None:
        item = storage.create(request.item_id, request.data)
        return responses.respond(201, item, _origin(), _created_headers(event, collection, item))
    scope = idempotency.scope(caller.principal, collection, key)
    fingerprint = idempotency.fingerprint(request.item_id, request.data)
    table = idempotency.table()

    try:
        item = storage.create(request.item_id, request.data, (
            table, lambda item: idempotency.record(scope, fingerprint, item)))
    except records.Recorded as taken:
        found = taken.attributes or storage.record(table, scope)
        if found is None:  # expired or gone between the write and this read
            raise idempotency.in_progress() from None
        return _replay(event, collection, storage, idempotency.Replay(found), fingerprint)
    except records.Collided:
        raise idempotency.in_progress() from None
    return responses.respond(201, item, _origin(), _created_headers(event, collection, item))


def _replay(event: dict, collection: str, storage: Storage, replay: idempotency.Replay,
            fingerprint: str) -> dict:
    """The first answer to this key, again; its Location for the path of this request."""
    replay.check(fingerprint)
    # An item too large to keep in its record: the item as it is now.
    item = replay.body if replay.body is not None else storage.get(replay.item_id)
    return responses.respond(201, item, _origin(), {
        **_created_headers(event, collection, item), idempotency.REPLAYED_HEADER: "true"})


def _dispatch(event: dict, route: str, method: str, settings: Settings,
              storage: Storage, caller: authz.Caller) -> dict:
    origin = _origin()
    collection = routes.collection_path(route)
    if route == collection and method == "POST":
        return _create(event, collection, settings, storage, caller)
    if route == collection:
        page = validation.list_page(event)
        items, next_token = storage.list_page(page.limit, page.token,
                                              queries.parse(event, settings))
        body: dict[str, Any] = {"items": items, "count": len(items)}
        if next_token:
            body["next"] = next_token
        return responses.respond(200, body, origin)
    if method == "GET":
        target = validation.item(event)
        item = storage.get(target.item_id, target.if_match)
        return responses.respond(200, item, origin, responses.item_headers(item))
    if method == "PUT":
        change = validation.replace(event, settings)
        item = storage.replace(change.item_id, change.data, change.if_match)
        return responses.respond(200, item, origin, responses.item_headers(item))
    target = validation.item(event)
    storage.delete(target.item_id, target.if_match)
    return responses.respond(204, None, origin)


def _aws_error(error: Exception, request_id: str) -> dict:
    details = error.response.get("Error", {}) if isinstance(error, ClientError) else {}
    code, message = details.get("Code", ""), details.get("Message", "")
    if code == "TransactionConflictException":
        # A write on an item a POST's transaction is writing at this very instant.
        return responses.error(503, errors.THROTTLED, "this item is being written by another "
                               "request; retry shortly", _origin(),
                               {"Retry-After": RETRY_AFTER_SECONDS}, request_id)
    if code in THROTTLE_CODES or records.cancelled_by(error, TRANSACTION_THROTTLES):
        LOG.warning("DynamoDB throttled", extra={"requestId": request_id, "errorCode": code})
        return responses.error(503, errors.THROTTLED, "the table is busy; retry shortly",
                               _origin(), {"Retry-After": RETRY_AFTER_SECONDS}, request_id)
    if code == "ValidationException" and "backfilling" in message.lower():
        # A new index answers no Query until DynamoDB has built it (index status
        # CREATING, then ACTIVE): minutes to hours after the launch that added it.
        LOG.warning("index not built yet", extra={"requestId": request_id, "errorCode": code})
        return responses.error(503, errors.THROTTLED, "this index is still being built; "
                               "retry later", _origin(), {"Retry-After": INDEX_RETRY_SECONDS},
                               request_id)
    if (code == "ValidationException" and "item size" in message.lower()) or \
            records.cancelled_by(error, frozenset({"ValidationError"}), "item size"):
        # The handler checks an item's size before writing (itemsize); an item grown by
        # another tool's attributes can still cross the limit.
        return responses.error(413, errors.REQUEST_TOO_LARGE,
                               "the item exceeds DynamoDB's 400 KB item limit", _origin())
    if isinstance(error, (ConnectTimeoutError, ReadTimeoutError)):
        LOG.error("DynamoDB did not answer in time (aws_client timeouts)", exc_info=error,
                  extra={"requestId": request_id, "errorCode": type(error).__name__})
    else:
        LOG.error("AWS call failed", exc_info=error,
                  extra={"requestId": request_id, "errorCode": code})
    return _internal_error(request_id)


def _internal_error(request_id: str) -> dict:
    """A 500 the client can report: the request id, never the cause or a stack trace."""
    return responses.error(500, errors.INTERNAL_ERROR, "the request failed on our side; "
                           "quote the request id when reporting it", _origin(), None, request_id)


def handle(event: Any, context: Any, storage_factory: Callable[[Settings], Storage]) -> dict:
    """Route one proxy event to its collection's table (`storage_factory(collection)`);
    every outcome is a JSON response with CORS headers."""
    started = time.perf_counter()
    if not isinstance(event, dict):
        event = {}
    request_id = str(getattr(context, "aws_request_id", None)
                     or (event.get("requestContext") or {}).get("requestId") or "-")
    method = str(event.get("httpMethod") or "").upper()
    route = event.get("resource")
    caller = authz.identify(event)
    try:
        tables = collection_env.tables()
        route = _route(event, method, tables)
        settings = tables[routes.collection_path(route)]
        authz.require(caller, method, settings)
        response = _dispatch(event, route, method, settings, storage_factory(settings), caller)
    except ApiError as error:
        response = responses.error(error.status, error.code, error.message, _origin(),
                                   error.headers)
    except (ClientError, BotoCoreError) as error:
        response = _aws_error(error, request_id)
    except Exception:  # last resort: log it, never leak a stack trace to the client
        LOG.exception("unhandled error", extra={"requestId": request_id})
        response = _internal_error(request_id)
    LOG.info("request", extra={"requestId": request_id, "method": method, "resource": route,
                               "status": response["statusCode"], "caller": caller.identity,
                               "durationMs": round((time.perf_counter() - started) * 1000, 2)})
    return response


def lambda_handler(event: Any, context: Any) -> dict:
    return handle(event, context, default_storage)
