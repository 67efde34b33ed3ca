"""The WAFv2 moto shim: needed (moto's CloudFormation still lacks the types) and
sufficient (the rendered prod web ACL is created, updated, associated and deleted)."""

from __future__ import annotations

import json
import subprocess

import pytest

from localdev.localaws import LOCALAWS_PYTHON, SERVER_SCRIPT
from tests.helpers import resources_of_type

pytestmark = pytest.mark.e2e

PROBE = """
import json, sys
sys.path.insert(0, {folder!r})
import shim_wafv2
from moto.core.common_models import CloudFormationModel
from moto.wafv2.models import wafv2_backends
types = lambda: {{m.cloudformation_type() for m in CloudFormationModel.__subclasses__()}}
wanted = {{"AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation"}}
print("modelled:", sorted(wanted & types()))
shim_wafv2.shim_wafv2()
print("modelled:", sorted(wanted & types()))
model = {{m.cloudformation_type(): m for m in CloudFormationModel.__subclasses__()}}
acl_json, stage_arn = json.loads(sys.stdin.read())
backend = wafv2_backends["123456789012"]["us-west-2"]
acl = model["AWS::WAFv2::WebACL"].create_from_cloudformation_json(
    "ApiWebAcl", acl_json, "123456789012", "us-west-2")
link = model["AWS::WAFv2::WebACLAssociation"].create_from_cloudformation_json(
    "ApiWebAclAssociation", {{"Properties": {{"WebACLArn": acl.get_cfn_attribute("Arn"),
                                             "ResourceArn": stage_arn}}}},
    "123456789012", "us-west-2")
found = backend.get_web_acl_for_resource(stage_arn).to_dict()
print("ref:", acl.physical_resource_id.endswith("|REGIONAL"))
print("rules:", [r["Name"] for r in found["Rules"]])
print("bodies:", sorted(found["CustomResponseBodies"]))
acl_json["Properties"]["Rules"] = acl_json["Properties"]["Rules"][1:]
model["AWS::WAFv2::WebACL"].update_from_cloudformation_json(
    acl, "ApiWebAcl", acl_json, "123456789012", "us-west-2")
print("updated:", [r["Name"] for r in backend.get_web_acl_for_resource(stage_arn).to_dict()["Rules"]])
link.delete("123456789012", "us-west-2")
acl.delete("123456789012", "us-west-2")
print("after delete:", backend.get_web_acl_for_resource(stage_arn), len(backend.wacls))
"""


def test_waf_shim_models_the_rendered_web_acl_and_its_association(prod_template):
    (acl,) = resources_of_type(prod_template, "AWS::WAFv2::WebACL").values()
    stage_arn = "arn:aws:apigateway:us-west-2::/restapis/abc123/stages/prod"
    result = subprocess.run([str(LOCALAWS_PYTHON), "-c",
                             PROBE.format(folder=str(SERVER_SCRIPT.parent))],
                            input=json.dumps([acl, stage_arn]), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    names = [rule["Name"] for rule in acl["Properties"]["Rules"]]
    # If moto models WAFv2 upstream one day, the first line tells us to drop the shim.
    assert result.stdout.splitlines() == [
        "modelled: []",
        "modelled: ['AWS::WAFv2::WebACL', 'AWS::WAFv2::WebACLAssociation']",
        "ref: True",
        f"rules: {names}",
        f"bodies: {sorted(acl['Properties']['CustomResponseBodies'])}",
        f"updated: {names[1:]}",
        "after delete: None 0",
    ]
