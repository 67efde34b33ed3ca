"""Proxy-integration responses: JSON body, CORS headers on every one."""

from __future__ import annotations

from typing import Any, Optional

from data_api import cors, etags, jsonio


def respond(status: int, body: Any, origin: str,
            headers: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """A REST proxy (v1) response; `body` None means no content (204)."""
    all_headers = {**cors.response_headers(origin), **(headers or {})}
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    return {"statusCode": status, "headers": all_headers,
            "body": "" if body is None else jsonio.dumps(body), "isBase64Encoded": False}


def error(status: int, code: str, message: str, origin: str,
          headers: Optional[dict[str, str]] = None, request_id: Optional[str] = None) -> dict:
    detail = {"code": code, "message": message}
    if request_id:
        detail["requestId"] = request_id
    return respond(status, {"error": detail}, origin, headers)


def item_headers(item: dict[str, Any]) -> dict[str, str]:
    """ETag from the item's version; an item written by other tools may have none."""
    return etags.header(item.get("version"))
