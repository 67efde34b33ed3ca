"""The local API: HTTP -> API Gateway REST proxy (v1) event -> handler in-process.

Like `sam local start-api`, without Docker, and without adding CORS headers the
deployed API would not send: every header comes from the handler or from the
template's MOCK and gateway responses.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Optional
from urllib.parse import quote

from werkzeug.exceptions import BadRequest
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from deploy_hooks.checks import REQUEST_TIME_FORMAT  # the release checks' events use it too
from localdev import limits, request_checks
from localdev.authorizer import CognitoAuthorizer, Unauthorized
from localdev.docs import Docs
from localdev.gateway import ANY, Gateway, GatewayAnswer, Resource, resource_paths
from localdev.protocol import FRAMING_KEY, GatewayRequestHandler
from localdev.proxy import from_proxy, proxy_event
from localdev.sigv4 import IamAuthorizer
from localdev.throttle import Throttle

HANDLERS_DIR = Path(__file__).resolve().parents[2] / "handlers"
HANDLER = "data_api.handler.lambda_handler"


class HandlerLoader:
    """Imports the handler; re-imports it when a file under handlers/ changes."""

    def __init__(self, handler: str = HANDLER, source: Path = HANDLERS_DIR) -> None:
        self.module_name, self.function_name = handler.rsplit(".", 1)
        self.package = self.module_name.split(".")[0]
        self.source = source
        self._lock = threading.Lock()
        self._signature: Optional[tuple] = None
        self._function: Optional[Callable] = None

    def _current_signature(self) -> tuple:
        return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in self.source.rglob("*.py")))

    def get(self) -> Callable:
        with self._lock:
            signature = self._current_signature()
            if self._function is None or signature != self._signature:
                if self._function is not None:  # a change, not the first load: re-import
                    print(json.dumps({"event": "reload", "reason": "handler code changed"}),
                          flush=True)
                    for name in [n for n in sys.modules if n == self.package
                                 or n.startswith(self.package + ".")]:
                        del sys.modules[name]
                module = importlib.import_module(self.module_name)
                self._function = getattr(module, self.function_name)
                self._signature = signature
            return self._function


class LocalApi:
    """WSGI app serving one API stack's routes with the handler in-process."""

    def __init__(self, template: dict[str, Any], function_env: dict[str, str],
                 loader: Optional[HandlerLoader] = None, log: Callable[[str], None] = print,
                 authorizers: Optional[dict[str, CognitoAuthorizer]] = None,
                 openapi: Optional[dict[str, Any]] = None,
                 iam: Optional[IamAuthorizer] = None, throttle: bool = True):
        """`throttle=False` lifts the stage's throttle (a load or contract run that
        sends more than the stage allows on purpose); everything else is enforced."""
        self.gateway = Gateway(template)
        self.throttle = Throttle.from_template(template) if throttle else None
        self.authorizers = authorizers or {}  # logical id -> authorizer.build_authorizers
        self.checks = request_checks.methods_checks(template,
                                                    resource_paths(template["Resources"]))
        self.docs = Docs(openapi, self.gateway.stage) if openapi else None  # local-only
        self.iam = iam  # AWS_IAM methods (sigv4.py); None: refused as not checkable
        self.loader = loader or HandlerLoader()
        self.log = log
        os.environ.update(function_env)  # the function's variables, resolved by local AWS

    def _answer(self, answer: GatewayAnswer, close: bool = False) -> Response:
        return Response(answer.body, status=answer.status,
                        headers={**answer.headers, "Content-Type": "application/json",
                                 **({"Connection": "close"} if close else {})})

    def refusal(self, status: int, reason: str) -> GatewayAnswer:
        """What API Gateway answers to a request it refuses before routing (a 4xx: the
        HTTP layer's in protocol.py, the framing and size checks in handle)."""
        kind = "REQUEST_TOO_LARGE" if status in (413, 414, 431) else "DEFAULT_4XX"
        return self.gateway.error(kind, reason, status=status)

    def _authorize(self, request: Request, resource: Resource) -> Optional[dict[str, Any]]:
        """The method's authorizer, as API Gateway runs it before the integration:
        what it adds to the event's requestContext, or raise Unauthorized."""
        # The method that answers: the verb's own, else ANY (as Resource.method picks).
        auth = resource.auth.get(request.method, resource.auth.get(ANY, {}))
        kind = auth.get("AuthorizationType", "NONE")
        if kind == "NONE":
            return None
        if kind == "COGNITO_USER_POOLS":
            authorizer = self.authorizers.get(auth["AuthorizerId"]["Ref"])
            if authorizer is None:  # never allow a method we cannot check
                raise Unauthorized("Authorizer not available locally", "AUTHORIZER_FAILURE")
            return {"authorizer": {"claims": authorizer.claims(
                request.headers, auth.get("AuthorizationScopes"))}}
        if kind == "AWS_IAM" and self.iam is not None:
            return {"identity": self.iam.identity(
                request.method, f"http://{request.host}{request.environ['localdev.raw']}",
                request.environ["localdev.path"], request.headers, request.get_data(),
                request.remote_addr or "", request.user_agent.string)}
        raise Unauthorized(f"{kind} is not enforced locally", "AUTHORIZER_FAILURE")

    def _route(self, request: Request) -> tuple[list[str], bool, str]:
        """(raw segments after the stage, stage in path?, raw path after the stage).

        Nothing is decoded or collapsed: API Gateway hands a REST proxy integration the
        path and path parameters as sent (aws-sam-cli#771), an empty segment (`//`)
        stays one, and only a trailing '/' is ignored (`/data/` is `/data` on AWS:
        aws-sam-cli#1495)."""
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or \
            quote(request.environ.get("PATH_INFO", "/").encode("latin-1"), safe="/%")
        request.environ["localdev.raw"] = raw.split("#", 1)[0]  # as signed (SigV4)
        path = raw.split("?", 1)[0].split("#", 1)[0] or "/"
        segments = path.split("/")[1:]
        stage_in_path = bool(segments) and segments[0] == self.gateway.stage
        if stage_in_path:
            segments = segments[1:]
            path = path[len(self.gateway.stage) + 1:] or "/"
        if segments and segments[-1] == "":
            segments = segments[:-1]
        return segments, stage_in_path, path

    def handle(self, request: Request) -> tuple[Response, dict[str, Any]]:
        request_id = str(uuid.uuid4())
        framing = request.environ.get(FRAMING_KEY)
        unrouted: Optional[GatewayAnswer] = None
        too_large = False
        if framing:  # the body's end is ambiguous: never read it (protocol.py)
            unrouted = self.refusal(400, f"Bad Request: {framing}")
        elif limits.headers_too_large(request):
            unrouted = self.refusal(431, "Request Header Fields Too Large")
        else:
            try:
                too_large = limits.body_too_large(request)
            except BadRequest:  # the body ended before its Content-Length: never a 5xx
                unrouted = self.refusal(400, "Bad Request: the body is shorter than its "
                                             "Content-Length")
        if unrouted is not None:
            return self._answer(unrouted, close=True), {"requestId": request_id}
        segments, stage_in_path, path = self._route(request)
        request.environ["localdev.path"] = path
        resource, params = self.gateway.match(segments)
        context: dict[str, Any] = {"requestId": request_id, "httpMethod": request.method,
                   "resourcePath": resource.path if resource else "-",
                   "identity.sourceIp": request.remote_addr, "protocol": "HTTP/1.1",
                   "requestTime": datetime.now(timezone.utc).strftime(REQUEST_TIME_FORMAT),
                   "integrationLatency": "-"}
        docs = self.docs.answer(request) if self.docs else None
        if docs is not None:
            return docs, context
        if too_large:
            return self._answer(self.gateway.error("REQUEST_TOO_LARGE")), context
        found, mock = resource.method(request.method) if resource else (False, None)
        if resource is None or not found:
            return self._answer(self.gateway.error("MISSING_AUTHENTICATION_TOKEN")), context
        # One bucket per method of the template: any verb an ANY method answers is it.
        if self.throttle is not None and not self.throttle.allow(
                resource.path, resource.answering(request.method) or request.method):
            return self._answer(self.gateway.error("THROTTLED")), context
        try:
            authorizer = self._authorize(request, resource)
        except Unauthorized as refused:
            return self._answer(self.gateway.error(refused.response_type, refused.message)), context
        if mock is not None:
            return Response(mock.body, status=mock.status, headers=mock.headers,
                            mimetype="application/json"), context
        rejection = request_checks.check(self.checks.get((resource.path, request.method)),
                                         request, params)
        if rejection is not None:  # API Gateway's request validation: no invocation
            return self._answer(self.gateway.error(rejection.response_type, rejection.message,
                                                   detail=rejection.detail)), context
        event = proxy_event(request, resource.path, params, self.gateway.stage,
                             stage_in_path, request_id, authorizer)
        if limits.invoke_too_large(event):
            return self._answer(self.gateway.error("REQUEST_TOO_LARGE")), context
        lambda_context = SimpleNamespace(aws_request_id=request_id, function_name="local",
                                         memory_limit_in_mb=256,
                                         get_remaining_time_in_millis=lambda: 10_000)
        started = time.perf_counter()
        failure = "BAD_GATEWAY"  # a crash or a malformed response: API Gateway's 502
        try:
            result = self.loader.get()(event, lambda_context)
            if limits.invoke_too_large(result):
                response, failure = None, "INTEGRATION_FAILURE"  # still a 502 (limits.py)
            else:
                response = from_proxy(result)
        except Exception as error:
            self.log(json.dumps({"event": "handler_error", "requestId": request_id,
                                 "error": repr(error)}))
            response = None
        context["integrationLatency"] = int((time.perf_counter() - started) * 1000)
        if response is None:
            return self._answer(self.gateway.error(failure, status=502)), context
        return response, context

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        started = time.perf_counter()
        try:
            response, context = self.handle(Request(environ))
        except Exception as error:  # the local API's own fault: still the gateway's JSON
            self.log(json.dumps({"event": "local_api_error", "error": repr(error)}))
            response, context = self._answer(self.gateway.error("DEFAULT_5XX")), {}
        context.update(status=response.status_code,
                       responseLength=response.calculate_content_length() or 0,
                       responseLatency=int((time.perf_counter() - started) * 1000))
        line = self.gateway.access_log(context)
        if line:
            self.log(line)
        return response(environ, start_response)


def serve(app: LocalApi, host: str, port: int) -> BaseWSGIServer:
    """A threaded werkzeug server; call serve_forever() (or run it in a thread)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # we print access logs
    return make_server(host, port, app, threaded=True, request_handler=GatewayRequestHandler)
