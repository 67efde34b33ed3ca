"""The HTTP layer under the local API: every refusal is the gateway's JSON, never HTML.

Python's HTTP server answers what it cannot parse (more than 100 header lines, a line
over 64 KiB, a malformed request line) with an HTML page. API Gateway answers such
requests itself, with its gateway responses, so here the server's `send_error` renders
the template's gateway response instead: JSON, with the CORS headers.

Request framing is checked before the body is read: two different `Content-Length`
values, or `Content-Length` beside `Transfer-Encoding`, make the body's end ambiguous
(RFC 9112 section 6.3: a request smuggling vector), so the request is refused with a
400 and the connection closed.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from werkzeug.serving import WSGIRequestHandler

from localdev.gateway import GatewayAnswer

FRAMING_KEY = "localdev.framing"  # environ key: why the request's framing is refused


def framing_problem(lengths: list[str], transfer_encoding: Optional[str]) -> Optional[str]:
    """Why a request's body cannot be delimited unambiguously, or None."""
    values = {value.strip() for value in lengths}
    if len(values) > 1:
        return "conflicting Content-Length headers"
    if values and transfer_encoding:
        return "both Content-Length and Transfer-Encoding"
    return None


class GatewayRequestHandler(WSGIRequestHandler):
    """werkzeug's handler, with the server's own refusals rendered by the app."""

    def make_environ(self) -> Any:
        environ = super().make_environ()
        problem = framing_problem(self.headers.get_all("Content-Length") or [],
                                  self.headers.get("Transfer-Encoding"))
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
        self.log_error("code %d, message %s", code, reason)
        answer = refusal(code, reason)
        body = answer.body.encode()
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
