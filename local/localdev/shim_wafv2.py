"""moto shim: CloudFormation models for AWS::WAFv2::WebACL and WebACLAssociation.

moto 5.2.5 has a WAFv2 backend (web ACLs, rules, associations with API Gateway
stages) but its CloudFormation models no WAFv2 type: the prod stack's web ACL and
association were skipped, with a warning, and nothing recorded the firewall. These
models create, update and delete them through moto's own WAFv2 backend, so the
local AWS holds the web ACL the template describes (`wafv2 get-web-acl-for-resource`
on the stage answers as in AWS). Requests are not filtered locally: moto evaluates
no WAF rules.

Runs in .venv-localaws only (imported by moto_server.py), never by the templates.
"""

from __future__ import annotations

from typing import Any


def _acl_args(props: dict) -> dict:
    """WAFv2 API arguments from CloudFormation properties (the same shapes, PascalCase)."""
    return {"default_action": props["DefaultAction"], "rules": props.get("Rules", []),
            "description": props.get("Description"),
            "visibility_config": props["VisibilityConfig"],
            "custom_response_bodies": props.get("CustomResponseBodies"),
            "captcha_config": props.get("CaptchaConfig"),
            "challenge_config": props.get("ChallengeConfig"),
            "token_domains": props.get("TokenDomains"),
            "association_config": props.get("AssociationConfig")}


def shim_wafv2() -> None:
    from moto.core.common_models import CloudFormationModel
    from moto.wafv2.models import wafv2_backends

    class WebAclModel(CloudFormationModel):
        # moto's model metaclass derives the service from the module path.
        __module__ = "moto.wafv2.localdev_shim"

        def __init__(self, acl: Any, scope: str) -> None:
            self.acl = acl
            self.scope = scope

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::WAFv2::WebACL"

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @property
        def physical_resource_id(self) -> str:
            # What Ref returns in AWS: name|id|scope.
            return f"{self.acl.name}|{self.acl.id}|{self.scope}"

        ATTRIBUTES = {"Arn": "arn", "Id": "id", "Capacity": "capacity",
                      "LabelNamespace": "label_namespace"}

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr in cls.ATTRIBUTES

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            if attribute_name not in self.ATTRIBUTES:
                raise NotImplementedError(attribute_name)
            return getattr(self.acl, self.ATTRIBUTES[attribute_name])

        @classmethod
        def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict,
                                            account_id: str, region_name: str,
                                            **kwargs: Any) -> "WebAclModel":
            props = cloudformation_json["Properties"]
            backend = wafv2_backends[account_id][region_name]
            acl = backend.create_web_acl(name=props.get("Name", resource_name),
                                         scope=props["Scope"], tags=props.get("Tags", []),
                                         **_acl_args(props))
            return cls(acl, props["Scope"])

        @classmethod
        def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                            cloudformation_json: dict, account_id: str,
                                            region_name: str) -> "WebAclModel":
            acl = original_resource.acl
            wafv2_backends[account_id][region_name].update_web_acl(
                name=acl.name, _id=acl.id, lock_token=acl.lock_token,
                **_acl_args(cloudformation_json["Properties"]))
            return original_resource

        def delete(self, account_id: str, region_name: str) -> None:
            wafv2_backends[account_id][region_name].delete_web_acl(
                self.acl.name, self.scope, self.acl.id, self.acl.lock_token)

    class WebAclAssociationModel(CloudFormationModel):
        __module__ = "moto.wafv2.localdev_shim"

        def __init__(self, web_acl_arn: str, resource_arn: str) -> None:
            self.web_acl_arn = web_acl_arn
            self.resource_arn = resource_arn

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::WAFv2::WebACLAssociation"

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @property
        def physical_resource_id(self) -> str:
            return self.resource_arn

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return False

        @classmethod
        def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict,
                                            account_id: str, region_name: str,
                                            **kwargs: Any) -> "WebAclAssociationModel":
            props = cloudformation_json["Properties"]
            wafv2_backends[account_id][region_name].associate_web_acl(props["WebACLArn"],
                                                                      props["ResourceArn"])
            return cls(props["WebACLArn"], props["ResourceArn"])

        @classmethod
        def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                            cloudformation_json: dict, account_id: str,
                                            region_name: str) -> "WebAclAssociationModel":
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                       account_id, region_name)

        def delete(self, account_id: str, region_name: str) -> None:
            wafv2_backends[account_id][region_name].disassociate_web_acl(self.resource_arn)
