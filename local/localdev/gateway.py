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
                  "DEFAULT_5XX": 500, "BAD_GATEWAY": 502}
DEFAULT_MESSAGES = {"MISSING_AUTHENTICATION_TOKEN": "Missing Authentication Token",
                    "BAD_GATEWAY": "Internal server error"}


@dataclass(frozen=True)
class MockAnswer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Resource:
    path: str  # e.g. /data/{id}
    methods: dict[str, Optional[MockAnswer]] = field(default_factory=dict)  # None: proxy


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
        parents = {name: res["Properties"] for name, res in resources.items()
                   if res["Type"] == "AWS::ApiGateway::Resource"}

        def path_of(name: str) -> str:
            props = parents[name]
            parent = props["ParentId"]
            base = path_of(parent["Ref"]) if "Ref" in parent else ""
            return f"{base}/{props['PathPart']}"

        by_id = {name: Resource(path_of(name)) for name in parents}
        for res in resources.values():
            if res["Type"] != "AWS::ApiGateway::Method":
                continue
            props = res["Properties"]
            resource = by_id[props["ResourceId"]["Ref"]]
            integration = props["Integration"]
            answer = None
            if integration["Type"] == "MOCK":
                reply = integration["IntegrationResponses"][0]
                answer = MockAnswer(
                    int(reply["StatusCode"]),
                    _headers(reply.get("ResponseParameters", {}), "method.response.header."),
                    reply.get("ResponseTemplates", {}).get("application/json", ""))
            resource.methods[props["HttpMethod"]] = answer
        return sorted(by_id.values(), key=lambda r: r.path)

    def match(self, segments: list[str]) -> tuple[Optional[Resource], dict[str, str]]:
        """Resource and path parameters for decoded path segments."""
        for resource in self.resources:
            template = resource.path.strip("/").split("/")
            if len(template) != len(segments):
                continue
            params: dict[str, str] = {}
            for want, got in zip(template, segments, strict=True):
                if want.startswith("{") and want.endswith("}") and got:
                    params[want[1:-1]] = got
                elif want != got:
                    break
            else:
                return resource, params
        return None, {}

    def error(self, response_type: str, message: Optional[str] = None) -> GatewayAnswer:
        """A gateway response as API Gateway renders it (the specific type, else DEFAULT_*)."""
        status = DEFAULT_STATUS.get(response_type, 500)
        family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        props = self.responses.get(response_type) or self.responses.get(family) or {}
        status = int(props.get("StatusCode", status))
        message = message or DEFAULT_MESSAGES.get(response_type, "Error")
        body = props.get("ResponseTemplates", {}).get("application/json")
        if body is None:
            body = json.dumps({"message": message})
        body = body.replace("$context.error.messageString", json.dumps(message))
        body = body.replace("$context.error.responseType", response_type)
        body = body.replace("$context.error.message", message)
        return GatewayAnswer(status, _headers(props.get("ResponseParameters", {}),
                                              "gatewayresponse.header."), body)

    def access_log(self, context: dict[str, Any]) -> Optional[str]:
        """The stage's access-log line, with $context variables filled in."""
        if not self.access_log_format:
            return None
        return re.sub(r"\$context\.([A-Za-z.]+)",
                      lambda m: str(context.get(m.group(1), "-")).replace('"', '\\"'),
                      self.access_log_format)
