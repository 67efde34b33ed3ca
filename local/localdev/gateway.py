"""What API Gateway would do, read from the rendered template (no second definition).

Routes, methods, MOCK preflight answers, gateway responses and the access-log
format all come from the CloudFormation template, so the local API cannot drift
from the deployed one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional

# API Gateway's default status for the gateway response types we meet locally.
DEFAULT_STATUS = {"MISSING_AUTHENTICATION_TOKEN": 403, "DEFAULT_4XX": 400,
                  "DEFAULT_5XX": 500, "BAD_GATEWAY": 502, "REQUEST_TOO_LARGE": 413,
                  "INTEGRATION_FAILURE": 504, "UNAUTHORIZED": 401,
                  "ACCESS_DENIED": 403, "EXPIRED_TOKEN": 403, "INVALID_SIGNATURE": 403,
                  "BAD_REQUEST_BODY": 400, "BAD_REQUEST_PARAMETERS": 400, "THROTTLED": 429}
DEFAULT_MESSAGES = {"MISSING_AUTHENTICATION_TOKEN": "Missing Authentication Token",
                    "BAD_GATEWAY": "Internal server error",
                    "INTEGRATION_FAILURE": "Internal server error",
                    "REQUEST_TOO_LARGE": "Request Too Long",
                    "THROTTLED": "Too Many Requests", "DEFAULT_5XX": "Internal server error"}
ANY = "ANY"
# $context.error variables of a gateway response template (longest name first).
_ERROR_VARIABLE = re.compile(
    r"\$context\.error\.(messageString|message|responseType|validationErrorString)")
ROOT_RESOURCE_ID = "RootResourceId"


@dataclass(frozen=True)
class MockAnswer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Resource:
    path: str  # e.g. /data/{id}, /{proxy+}, /
    methods: dict[str, Optional[MockAnswer]] = field(default_factory=dict)  # None: proxy
    # verb -> the method's AuthorizationType, AuthorizerId ({"Ref": id}), AuthorizationScopes
    auth: dict[str, dict[str, Any]] = field(default_factory=dict)

    def answering(self, verb: str) -> Optional[str]:
        """The method that answers `verb`: its own, else ANY, which "will catch any HTTP
        method that wasn't explicitly declared" (API Gateway developer guide,
        x-amazon-apigateway-any-method); None if neither exists."""
        return next((name for name in (verb, ANY) if name in self.methods), None)

    def method(self, verb: str) -> tuple[bool, Optional[MockAnswer]]:
        """(found, MOCK answer or None for a proxy) of the method that answers `verb`."""
        name = self.answering(verb)
        return (True, self.methods[name]) if name else (False, None)


@dataclass(frozen=True)
class GatewayAnswer:
    status: int
    headers: dict[str, str]
    body: str


def _literal(value: str) -> str:
    """API Gateway header mapping values are quoted literals: "'*'" -> "*"."""
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "'" else value


def _headers(parameters: dict[str, str], prefix: str) -> dict[str, str]:
    return {name[len(prefix):]: _literal(value) for name, value in parameters.items()
            if name.startswith(prefix)}


def _is_root(reference: Any) -> bool:
    return isinstance(reference, dict) and reference.get("Fn::GetAtt", [None, None])[1:] == [
        ROOT_RESOURCE_ID]


def _mock_answer(integration: dict[str, Any]) -> MockAnswer:
    """A MOCK integration's answer: the statusCode its request template yields selects
    the integration response whose SelectionPattern matches it, else the default one
    (no pattern). Only static header literals and the body template are rendered."""
    template = (integration.get("RequestTemplates") or {}).get("application/json") or "{}"
    status = str(json.loads(template).get("statusCode", 200))
    replies: list[dict[str, Any]] = integration.get("IntegrationResponses") or []
    default: dict[str, Any] = {"StatusCode": status}
    reply = next((r for r in replies if r.get("SelectionPattern")
                  and re.fullmatch(r["SelectionPattern"], status)), None) or next(
        (r for r in replies if not r.get("SelectionPattern")), default)
    return MockAnswer(int(reply["StatusCode"]),
                      _headers(reply.get("ResponseParameters", {}), "method.response.header."),
                      reply.get("ResponseTemplates", {}).get("application/json", ""))


def _match(template: list[str], segments: list[str]) -> Optional[tuple[tuple, dict[str, str]]]:
    """(specificity, path parameters) if the resource path matches the raw segments.

    A literal part beats a {param}, which beats a greedy {param+} (which takes one or
    more segments, joined by '/'). Values stay as sent on the wire: REST proxy events
    carry path and pathParameters percent-encoded (aws-sam-cli#771, #3524; chalice#511).
    """
    rank: list[int] = []
    params: dict[str, str] = {}
    for index, want in enumerate(template):
        if want.startswith("{") and want.endswith("+}"):
            rest = "/".join(segments[index:])
            if not rest:
                return None
            params[want[1:-2]] = rest
            return (*rank, 2), params
        if index >= len(segments):
            return None
        got = segments[index]
        if want.startswith("{") and want.endswith("}") and got:
            params[want[1:-1]] = got
            rank.append(1)
        elif want == got:
            rank.append(0)
        else:
            return None
    return ((*rank,), params) if len(template) == len(segments) else None


def resource_paths(resources: dict[str, Any]) -> dict[str, str]:
    """Logical ID of each AWS::ApiGateway::Resource -> its path, e.g. /data/{id}."""
    parents = {name: res["Properties"] for name, res in resources.items()
               if res["Type"] == "AWS::ApiGateway::Resource"}

    def path_of(name: str) -> str:
        props = parents[name]
        parent = props["ParentId"]
        base = "" if _is_root(parent) else path_of(parent["Ref"])
        return f"{base}/{props['PathPart']}"

    return {name: path_of(name) for name in parents}


class Gateway:
    """The REST API of one rendered template."""

    def __init__(self, template: dict[str, Any]) -> None:
        resources = template["Resources"]
        self.resources = self._resources(resources)
        self.responses = {props["ResponseType"]: props for res in resources.values()
                          if res["Type"] == "AWS::ApiGateway::GatewayResponse"
                          for props in [res["Properties"]]}
        stages = [r["Properties"] for r in resources.values()
                  if r["Type"] == "AWS::ApiGateway::Stage"]
        self.stage = stages[0]["StageName"] if stages else "local"
        self.access_log_format = (stages[0].get("AccessLogSetting", {}).get("Format")
                                  if stages else None)

    @staticmethod
    def _resources(resources: dict[str, Any]) -> list[Resource]:
        root = Resource("/")
        by_id = {name: Resource(path) for name, path in resource_paths(resources).items()}
        for res in resources.values():
            if res["Type"] != "AWS::ApiGateway::Method":
                continue
            props = res["Properties"]
            resource = root if _is_root(props["ResourceId"]) else by_id[props["ResourceId"]["Ref"]]
            integration = props["Integration"]
            answer = _mock_answer(integration) if integration["Type"] == "MOCK" else None
            resource.methods[props["HttpMethod"]] = answer
            resource.auth[props["HttpMethod"]] = {key: props[key] for key in (
                "AuthorizationType", "AuthorizerId", "AuthorizationScopes") if key in props}
        return sorted([root, *by_id.values()], key=lambda r: r.path)

    def match(self, segments: list[str]) -> tuple[Optional[Resource], dict[str, str]]:
        """The most specific resource for raw (percent-encoded) path segments."""
        found = [(hit[0], resource, hit[1]) for resource in self.resources
                 for hit in [_match([p for p in resource.path.split("/") if p], segments)]
                 if hit is not None]
        if not found:
            return None, {}
        _, resource, params = min(found, key=lambda entry: entry[0])
        return resource, params

    def error(self, response_type: str, message: Optional[str] = None,
              status: Optional[int] = None, detail: str = "") -> GatewayAnswer:
        """A gateway response as API Gateway renders it (the specific type, else DEFAULT_*);
        `status` when API Gateway is measured to answer other than the type's default;
        `detail` is request validation's $context.error.validationErrorString."""
        status = status or DEFAULT_STATUS.get(response_type, 500)
        family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        props = self.responses.get(response_type) or self.responses.get(family) or {}
        status = int(self.responses.get(response_type, {}).get("StatusCode", status))
        message = message or DEFAULT_MESSAGES.get(response_type, "Error")
        body = props.get("ResponseTemplates", {}).get("application/json")
        if body is None:
            body = json.dumps({"message": message})
        # One pass over the template: a value that itself contains "$context..." is
        # text, never substituted again. Request validation's detail comes
        # JSON-escaped (it sits inside a JSON string).
        values = {"messageString": json.dumps(message), "responseType": response_type,
                  "validationErrorString": json.dumps(detail)[1:-1], "message": message}
        body = _ERROR_VARIABLE.sub(lambda match: values[match.group(1)], body)
        return GatewayAnswer(status, _headers(props.get("ResponseParameters", {}),
                                              "gatewayresponse.header."), body)

    def access_log(self, context: dict[str, Any]) -> Optional[str]:
        """The stage's access-log line, with $context variables filled in."""
        if not self.access_log_format:
            return None
        return re.sub(r"\$context\.([A-Za-z.]+)",
                      lambda m: str(context.get(m.group(1), "-")).replace('"', '\\"'),
                      self.access_log_format)
