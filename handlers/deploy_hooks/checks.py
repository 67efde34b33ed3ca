"""Release checks: ONE list of requests and expected answers, two transports.

The pre-traffic hook (pretraffic.py) sends them to the new function version as
API Gateway REST proxy events before it gets any traffic; `make smoke`
(local/localdev/smoke.py) sends the same requests over HTTP to a deployed stage.

They never touch data they did not create: the only write is one item under
SMOKE_ID_PREFIX that the checks create and delete again.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

from data_api import errors, routes

SMOKE_ID_PREFIX = "smoke-test-"
JSON_HEADERS = {"Content-Type": "application/json"}
REQUEST_TIME_FORMAT = "%d/%b/%Y:%H:%M:%S +0000"  # API Gateway's $context.requestTime
REQUEST_COUNT = 5  # at most, per collection and run_checks (the hook's timeout allows for each)


@dataclass(frozen=True)
class Request:
    method: str
    resource: str  # the route template, e.g. /data/{id}
    item_id: Optional[str] = None
    query: dict[str, str] = field(default_factory=dict)
    body: Optional[str] = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        # Item ids are RFC 3986 unreserved characters: no encoding is ever needed.
        return self.resource.replace("{id}", self.item_id or "")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Result:
    name: str
    passed: bool
    detail: str


Transport = Callable[[Request], Answer]


def _page_problem(body: Any) -> Optional[str]:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        return "expected a JSON page with an `items` list"
    return None


def _error_problem(code: str) -> Callable[[Any], Optional[str]]:
    def problem(body: Any) -> Optional[str]:
        error = body.get("error") if isinstance(body, dict) else None
        if not (isinstance(error, dict) and isinstance(error.get("message"), str)):
            return 'expected the JSON error shape {"error": {"code": ..., "message": ...}}'
        if error.get("code") != code:
            return f"expected error code {code}, got {error.get('code')!r}"
        return None
    return problem


def _item_problem(item_id: str) -> Callable[[Any], Optional[str]]:
    def problem(body: Any) -> Optional[str]:
        if not isinstance(body, dict) or body.get("id") != item_id:
            return f"expected the created item {item_id!r} back"
        return None
    return problem


def _verify(name: str, answer: Answer, status: int,
            problem: Callable[[Any], Optional[str]]) -> Result:
    if answer.status != status:
        return Result(name, False, f"expected {status}, got {answer.status}: {answer.body[:300]}")
    reason = problem(answer.json())
    return Result(name, reason is None, reason or f"{status} as expected")


def run_checks(send: Transport, run_id: Optional[str] = None,
               collections: Sequence[str] = (routes.COLLECTION,),
               has_time: Callable[[], bool] = lambda: True,
               examples: Optional[Mapping[str, Any]] = None) -> list[Result]:
    """Run every check on each collection (its path) through `send`; a transport failure
    fails that check only. Once `has_time()` is false, the remaining checks fail unsent,
    so a caller with a deadline (the pre-traffic hook) still reports in time. `examples`:
    the data of the item to create, by path, where a schema constrains it."""
    run_id = run_id or uuid.uuid4().hex[:12]
    results: list[Result] = []
    for path in collections:
        results += _collection_checks(send, run_id, path, len(collections) > 1, has_time,
                                      (examples or {}).get(path))
    return results


def _collection_checks(send: Transport, run_id: str, path: str, named: bool,
                       has_time: Callable[[], bool], example: Any = None) -> list[Result]:
    missing = f"{SMOKE_ID_PREFIX}missing-{run_id}"
    created = f"{SMOKE_ID_PREFIX}{run_id}"
    item = routes.item_path(path)
    results: list[Result] = []

    def attempt(name: str, request: Request, status: int,
                problem: Callable[[Any], Optional[str]]) -> Optional[Answer]:
        name = f"{path}: {name}" if named else name
        if not has_time():
            results.append(Result(name, False, "not sent: the checks ran out of time"))
            return None
        try:
            answer = send(request)
        except Exception as error:  # the transport itself failed: a failed check
            results.append(Result(name, False, f"request failed: {error!r}"))
            return None
        results.append(_verify(name, answer, status, problem))
        return answer

    attempt("list a page", Request("GET", path, query={"limit": "1"}),
            200, _page_problem)
    attempt("read a missing id is a JSON 404", Request("GET", item, missing),
            404, _error_problem(errors.NOT_FOUND))
    attempt("a malformed body is a JSON 400",
            Request("POST", path, body='{"id": ', headers=JSON_HEADERS),
            400, _error_problem(errors.BAD_REQUEST_BODY))
    data = example if example is not None else {"smokeTest": True, "at": int(time.time())}
    body = json.dumps({"id": created, "data": data})
    made = attempt("create a marked item",
                   Request("POST", path, body=body, headers=JSON_HEADERS), 201,
                   _item_problem(created))
    if made is not None and made.status == 201:
        etag = made.header("ETag")
        attempt("delete the marked item", Request("DELETE", item, created,
                                                  headers={"If-Match": etag} if etag else {}),
                204, lambda body: None)
    return results


def proxy_event(request: Request, stage: str,
                caller: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The REST API (v1) proxy event API Gateway would send for `request`; `caller`
    holds the requestContext entries of an authenticated caller ("authorizer" or
    "identity", the latter merged into the identity below)."""
    now = time.time()
    headers = {"User-Agent": "data-api-release-check", **request.headers}
    caller = dict(caller or {})
    identity = {"sourceIp": "127.0.0.1", "userAgent": headers["User-Agent"],
                **caller.pop("identity", {})}
    return {
        "resource": request.resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": dict(request.query) or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in request.query.items()} or None,
        "pathParameters": {"id": request.item_id} if request.item_id is not None else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": request.resource, "httpMethod": request.method,
            "path": f"/{stage}{request.path}", "stage": stage, "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()), "apiId": "release-check",
            "requestTime": time.strftime(REQUEST_TIME_FORMAT, time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": identity, **caller,
        },
        "body": request.body,
        "isBase64Encoded": False,
    }


def answer_from_proxy(result: Any) -> Answer:
    """The HTTP answer API Gateway makes of a proxy result (502 if it is not one)."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return Answer(502, {}, json.dumps({"message": "Internal server error",
                                           "invalidProxyResult": repr(result)[:300]}))
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    return Answer(result["statusCode"], headers, str(result.get("body") or ""))
