"""The HTTP layer under the local API: every refusal is the gateway's JSON, never HTML.

Python's HTTP server answers what it cannot parse (more than 100 header lines, a line
over 64 KiB, a malformed request line, an HTTP version it does not speak) with an HTML
page, sometimes without even a status line. API Gateway answers such requests itself,
with its gateway responses, so here `send_error` renders the template's gateway
response instead: a 4xx (the request is the client's mistake), JSON, with CORS headers.

Framing is checked before the body is read (RFC 9112 section 6.3: an ambiguous body end
is a request smuggling vector), and such a request is refused with a 400 and the
connection closed: Content-Length that is not one run of ASCII digits, or differs
between copies; Content-Length beside Transfer-Encoding; a transfer coding other than
chunked; an HTTP/1.1 request without exactly one Host. A chunked body is decoded here,
strictly (section 7.1): werkzeug's decoder does not check that a chunk is as long as
its size line says.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any, Callable, Optional

from werkzeug.serving import WSGIRequestHandler

from localdev.gateway import GatewayAnswer
from localdev.limits import GATEWAY_MAX_REQUEST_BYTES

FRAMING_KEY = "localdev.framing"  # environ key: why the request's framing is refused
_DIGITS = re.compile(r"[0-9]+")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_MAX_LINE = 4096  # a chunk size line or trailer line


class Malformed(ValueError):
    """The request's framing is refused; the message says why."""


def framing_problem(headers: Any, version: str) -> Optional[str]:
    """Why a request cannot be delimited or routed unambiguously, or None."""
    lengths = [part.strip() for value in headers.get_all("Content-Length") or []
               for part in value.split(",")]
    codings = [part.strip().lower() for value in headers.get_all("Transfer-Encoding") or []
               for part in value.split(",")]
    if any(not _DIGITS.fullmatch(value) for value in lengths):
        return "Content-Length is not a number"
    if len({int(value) for value in lengths}) > 1:
        return "conflicting Content-Length headers"
    if lengths and codings:
        return "both Content-Length and Transfer-Encoding"
    if codings and codings != ["chunked"]:
        return "a Transfer-Encoding other than chunked"
    if version == "HTTP/1.1" and len(headers.get_all("Host") or []) != 1:
        return "an HTTP/1.1 request needs exactly one Host header"
    return None


def read_chunked(stream: IO[bytes] | io.BufferedIOBase, limit: int) -> Optional[bytes]:
    """A chunked body, decoded strictly (raise Malformed), or None once it is over
    `limit` bytes (not read further: the request is refused as too large)."""
    body = bytearray()
    while True:
        line = stream.readline(_MAX_LINE)
        if not line.endswith(b"\r\n"):
            raise Malformed("a chunk size line is missing or too long")
        size_text = line[:-2].split(b";", 1)[0].strip()  # a chunk extension is allowed
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise Malformed("a chunk size is not hexadecimal")
        size = int(size_text, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            return None
        chunk = stream.read(size)
        if len(chunk) != size or stream.read(2) != b"\r\n":
            raise Malformed("a chunk is shorter than its size or not followed by CRLF")
        body += chunk
    while (trailer := stream.readline(_MAX_LINE)) != b"\r\n":
        if not trailer.endswith(b"\r\n"):
            raise Malformed("the chunked body does not end")
    return bytes(body)


class GatewayRequestHandler(WSGIRequestHandler):
    """werkzeug's handler, with the server's own refusals rendered by the app."""

    timeout = 60  # seconds a client may stay silent mid-request before it is dropped

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # no headers, no status: not HTTP to AWS
            self.send_error(400, "HTTP/0.9 is not supported")
            return False
        return True

    def handle_expect_100(self) -> bool:
        return True  # werkzeug's run_wsgi sends the one "100 Continue" itself

    def make_environ(self) -> Any:
        environ = super().make_environ()
        problem = framing_problem(self.headers, self.request_version)
        if not problem and self.headers.get("Transfer-Encoding"):
            try:
                body = read_chunked(self.rfile, GATEWAY_MAX_REQUEST_BYTES)
            except (Malformed, OSError) as error:
                problem = f"malformed chunked body: {error}"
            else:  # the app sees a plain body; one over the limit is refused unread
                environ.pop("wsgi.input_terminated", None)
                environ.pop("HTTP_TRANSFER_ENCODING", None)  # hop-by-hop: decoded here
                environ["wsgi.input"] = io.BytesIO(body or b"")
                environ["CONTENT_LENGTH"] = str(
                    len(body) if body is not None else GATEWAY_MAX_REQUEST_BYTES + 1)
        if problem:
            environ[FRAMING_KEY] = problem
        return environ

    def send_error(self, code: int, message: Optional[str] = None,
                   explain: Optional[str] = None) -> None:
        refusal: Optional[Callable[[int, str], GatewayAnswer]] = getattr(
            self.server.app, "refusal", None)
        if refusal is None:
            super().send_error(code, message, explain)
            return
        reason = message or self.responses.get(code, ("Error",))[0]
        code = code if code < 500 else 400  # an unsupported version or method: the client's
        self.log_error("code %d, message %s", code, reason)
        answer = refusal(code, reason)
        body = answer.body.encode()
        if self.request_version in ("", "HTTP/0.9"):  # unparsed: still answer with headers
            self.request_version = "HTTP/1.1"
        self.send_response(code, self.responses.get(code, (reason,))[0])
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(body)
        self.close_connection = True
