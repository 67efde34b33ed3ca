"""checkov findings that are wrong for this stack, each with its one-line reason.

`make test` runs checkov over every rendered template and accepts zero failed
checks. A check may be skipped only here: by id, for one resource type, with the
reason, written into that resource's `Metadata.checkov.skip` (the inline form
checkov reads in CloudFormation), so a reviewer of `sceptre generate` sees the
reason next to the resource. README "Protections" lists the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from troposphere import Template


def _always(properties: dict[str, Any]) -> bool:
    return True


def _mock_integration(properties: dict[str, Any]) -> bool:
    return properties.get("Integration", {}).get("Type") == "MOCK"


@dataclass(frozen=True)
class Suppression:
    check_id: str
    resource_type: str
    reason: str
    # Narrower than the type: which resources (by their rendered properties) it covers.
    applies: Callable[[dict[str, Any]], bool] = _always


SUPPRESSIONS = (
    Suppression("CKV_AWS_116", "AWS::Lambda::Function",
                "API Gateway invokes synchronously and gets the error back; a DLQ only "
                "receives failed asynchronous invocations, and there are none"),
    Suppression("CKV_AWS_117", "AWS::Lambda::Function",
                "The function only calls DynamoDB (IAM-authorized, TLS); a VPC would add NAT "
                "or endpoint cost and cold-start latency and protect nothing"),
    Suppression("CKV_AWS_173", "AWS::Lambda::Function",
                "Environment holds only the table name and CORS origin, no secret; Lambda "
                "encrypts it at rest with its AWS managed key"),
    Suppression("CKV_AWS_120", "AWS::ApiGateway::Stage",
                "Items change on every write and reads must see them (ETag/If-Match); a "
                "stage cache would serve stale data to other callers"),
    Suppression("CKV_AWS_158", "AWS::Logs::LogGroup",
                "CloudWatch Logs encrypts log groups at rest by default; these hold request "
                "metadata (no tokens, no item bodies) and IAM governs who reads them"),
    Suppression("CKV_AWS_119", "AWS::DynamoDB::Table",
                "Encrypted at rest with DynamoDB's AWS managed key; IAM already limits access "
                "to this function, and a customer key would have to outlive a retained table"),
    Suppression("CKV_AWS_59", "AWS::ApiGateway::Method",
                "MOCK methods answer unknown paths (404) and methods (405) at the gateway; "
                "nothing behind them to protect, and a caller learns the route is wrong",
                applies=_mock_integration),
    Suppression("CKV_AWS_18", "AWS::S3::Bucket",
                "Holds only Lambda zips that the deploy hook writes and CloudFormation reads; "
                "CloudTrail records those calls, and a log bucket would need its own"),
)


def annotate(template: Template) -> Template:
    """Attach every matching suppression to the template's resources; return it."""
    for resource in template.resources.values():
        properties = resource.to_dict().get("Properties", {})
        skips = [{"id": s.check_id, "comment": s.reason} for s in SUPPRESSIONS
                 if s.resource_type == resource.resource_type and s.applies(properties)]
        if skips:
            metadata = dict(resource.resource.get("Metadata", {}))
            metadata["checkov"] = {"skip": skips}
            resource.Metadata = metadata
    return template
