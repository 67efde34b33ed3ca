"""The payload limits API Gateway and Lambda enforce, so the local API enforces them too.

- API Gateway REST: 10 MB request payload ("API Gateway quotas": 10 MB, not raisable);
  a larger one is answered with the REQUEST_TOO_LARGE gateway response (413).
- Lambda synchronous invoke: request and response payloads of at most 6 MB, measured
  as 6,291,556 bytes ("Request must be smaller than 6291556 bytes for the Invoke
  operation"; the same figure for responses in DataBiosphere/azul#8258). The payload is
  the whole JSON event, so headers and base64 inflation count. A too-large event is
  answered 413 (Zac Charles, "Deep Dive: Lambda's Request Payload Size Limit");
  a too-large response ends as a 502 INTEGRATION_FAILURE (azul#8258, measured on AWS).
- API Gateway REST: 10,240 bytes for the request line and header values together
  ("API Gateway quotas": "Total combined size of request line and header values");
  a larger request is refused before routing, here as a JSON 431.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

GATEWAY_MAX_REQUEST_BYTES = 10 * 1024 * 1024
LAMBDA_MAX_PAYLOAD_BYTES = 6_291_556
GATEWAY_MAX_HEADER_BYTES = 10_240


def headers_too_large(request: Request) -> bool:
    """True if the request line and header values together are over API Gateway's limit."""
    line = len(request.method) + len(request.environ.get("RAW_URI") or request.full_path) \
        + len(request.environ.get("SERVER_PROTOCOL", "HTTP/1.1")) + 2
    values = sum(len(value.encode("latin-1", "replace")) for _, value in request.headers.items())
    return line + values > GATEWAY_MAX_HEADER_BYTES


def body_too_large(request: Request) -> bool:
    """True if the request body is over API Gateway's limit. werkzeug never reads past
    `max_content_length` (a declared larger Content-Length is refused unread, a chunked
    body is cut off), and caches the body for the event."""
    request.max_content_length = GATEWAY_MAX_REQUEST_BYTES
    try:
        request.get_data()
    except RequestEntityTooLarge:
        return True
    return False


def invoke_too_large(payload: Any) -> bool:
    """True if `payload` (an event or a function's result) is over Lambda's limit."""
    return len(json.dumps(payload, ensure_ascii=False).encode()) > LAMBDA_MAX_PAYLOAD_BYTES
