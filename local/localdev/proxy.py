"""API Gateway's REST proxy (v1) integration: the event it sends, the answer it reads."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any, Optional

from werkzeug.wrappers import Request, Response

from deploy_hooks.checks import REQUEST_TIME_FORMAT  # the release checks' events use it too


def proxy_event(request: Request, resource: str, params: dict[str, str], stage: str,
                 stage_in_path: bool, request_id: str,
                 auth: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """`auth`: what the method's authorizer adds to requestContext (authorizer or identity)."""
    raw = request.get_data()
    try:
        body, encoded = (raw.decode("utf-8"), False) if raw else (None, False)
    except UnicodeDecodeError:
        body, encoded = base64.b64encode(raw).decode(), True
    multi_headers = {k: request.headers.getlist(k) for k in request.headers.keys()}
    multi_query = {k: request.args.getlist(k) for k in request.args.keys()}
    path = request.environ["localdev.path"]
    now = datetime.now(timezone.utc)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "requestId": request_id, "stage": stage, "resourcePath": resource,
            "httpMethod": request.method, "path": (f"/{stage}" if stage_in_path else "") + path,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "identity": {"sourceIp": request.remote_addr, "userAgent": request.user_agent.string},
            "requestTime": now.strftime(REQUEST_TIME_FORMAT),
            "requestTimeEpoch": int(now.timestamp() * 1000), "apiId": "local",
            **(auth or {}),
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def from_proxy(result: Any) -> Optional[Response]:
    """The handler's proxy response as HTTP, or None if API Gateway would reject it."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return None
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    response = Response(data, status=result["statusCode"])
    response.headers.clear()
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, str(value))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    return response
