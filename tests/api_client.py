"""Drive the handler in-process with API Gateway REST proxy (v1) events."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import quote

from data_api import routes
from data_api.handler import handle
from data_api.storage import Storage
from tests import auth_context

JSON = {"Content-Type": "application/json"}


def make_event(method: str, path: str, body: Optional[str | bytes] = None,
               headers: Optional[dict[str, str]] = JSON,
               query: Optional[dict[str, list[str]]] = None, stage: str = "dev",
               caller: Optional[dict[str, Any]] = None) -> dict:
    """An event shaped like API Gateway's: resource template, path params, multi-values,
    and the caller's authorizer context (a writer user unless `caller` says otherwise;
    {} for none), as the gateway adds it to requestContext."""
    caller = auth_context.writer_user() if caller is None else caller
    segments = path.strip("/").split("/")
    resource, params = path, None
    if len(segments) == 2 and segments[0] == "data":
        resource, params = routes.ITEM, {"id": segments[1]}
    elif segments == ["data"]:
        resource = routes.COLLECTION
    encoded = isinstance(body, bytes)
    return {
        "resource": resource,
        "path": "/" + "/".join(quote(s, safe="") for s in segments),
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()} if headers else None,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query,
        "pathParameters": params,
        "stageVariables": None,
        "requestContext": {"requestId": str(uuid.uuid4()), "stage": stage,
                           "path": f"/{stage}{path}", "httpMethod": method, **caller},
        "body": base64.b64encode(body).decode() if encoded else body,
        "isBase64Encoded": encoded,
    }


def path_event(method: str, item_id: str, body: Optional[str] = None,
               headers: Optional[dict[str, str]] = JSON) -> dict:
    """An item event as API Gateway hands it over: the path parameter exactly as sent
    on the wire (never decoded), whatever characters it holds."""
    event = make_event(method, "/data/placeholder", body, headers=headers)
    event.update(path=f"/data/{item_id}", pathParameters={"id": item_id})
    return event


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


class ApiClient:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def send(self, event: dict) -> Reply:
        raw = handle(event, None, lambda _table: self.storage)
        body = json.loads(raw["body"]) if raw["body"] else None
        return Reply(raw["statusCode"], raw["headers"], body)

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        return self.send(make_event(method, path, body, **kwargs))
