"""cdk-nag's AwsSolutions pack over rendered CloudFormation templates, as JSON.

Run with .venv-cdk's interpreter (aws-cdk-lib, cdk-nag; jsii needs Node):

    .venv-cdk/bin/python tools/cdk_nag_scan.py [--fail] a.json b.json ...

Every template is read through `cloudformation_include.CfnInclude` into its own stack
of one app, so jsii starts once for all of them. cdk-nag honours the suppressions in a
resource's `Metadata.cdk_nag.rules_to_suppress` (cdk-nag README, "Using on
CloudFormation templates"), which data_api_stack.lint_suppressions writes. Prints one
JSON list of the unsuppressed findings (errors and warnings): template, logical id,
rule id (with the finding, e.g. AwsSolutions-IAM5[Resource::*]), level, message.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

# "AwsSolutions-IAM5[Resource::<json>]: The IAM entity..." (the finding may hold brackets).
FINDING = re.compile(r"^(?P<rule>AwsSolutions-[A-Za-z0-9]+(?:\[.*?\])?): (?=[A-Z])", re.S)


def _includable(template: dict) -> dict:
    """CfnInclude types every property by the CloudFormation spec: an API Gateway
    Model's Schema must be an object there, while CloudFormation takes the same JSON
    Schema as a string too (as the API stack renders it). Same document, parsed."""
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::ApiGateway::Model" and isinstance(
                properties.get("Schema"), str):
            properties["Schema"] = json.loads(properties["Schema"])
    return template


def scan(paths: list[Path]) -> list[dict[str, str]]:
    from aws_cdk import App, Aspects, DefaultStackSynthesizer, Stack, cloudformation_include
    from cdk_nag import AwsSolutionsChecks

    app = App()
    stacks = {}
    with tempfile.TemporaryDirectory(prefix="cdk-nag-scan-") as folder:
        for index, path in enumerate(paths):
            included = Path(folder) / f"{index}.json"
            included.write_text(json.dumps(_includable(json.loads(path.read_text()))))
            # No bootstrap parameter or rule: the scan sees only what the template holds.
            stack = Stack(app, f"T{index}", synthesizer=DefaultStackSynthesizer(
                generate_bootstrap_version_rule=False))
            cloudformation_include.CfnInclude(stack, "T", template_file=str(included))
            stacks[stack.artifact_id] = path
        Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
        assembly = app.synth()
    findings = []
    for artifact_id, path in stacks.items():
        for message in assembly.get_stack_artifact(artifact_id).messages:
            level = str(message.level).rsplit(".", 1)[-1].lower()
            if level not in ("error", "warning"):
                continue
            text = str(message.entry.data)
            match = FINDING.match(text)
            findings.append({
                "template": str(path),
                # The construct path: /T<n>/T/<logical id>[/...]
                "logical_id": message.id.strip("/").split("/")[2] if message.id.count("/") > 2
                else message.id,
                "rule": match.group("rule") if match else "",
                "level": level,
                "message": text,
            })
    return findings


def main(argv: list[str]) -> int:
    """`--fail`: exit 1 when there is any finding (make nag)."""
    fail = "--fail" in argv
    paths = [Path(a).resolve() for a in argv if a != "--fail"]
    if not paths:
        print("usage: cdk_nag_scan.py [--fail] TEMPLATE.json ...", file=sys.stderr)
        return 2
    findings = scan(paths)
    print(json.dumps(findings, indent=1))
    return 1 if fail and findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
