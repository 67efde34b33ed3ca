"""moto shim: AWS::CodeDeploy::Application and ::DeploymentGroup in its CloudFormation.

moto's CloudFormation models no CodeDeploy type: it skipped them, so Ref to the
application or the group was empty and prod's stack (gradual releases) could not
launch on the local AWS. Model both on moto's own CodeDeploy backend, so the
launched stack has them and `aws deploy get-deployment-group` answers.

Not imitated: traffic shifting. moto ignores the alias's UpdatePolicy and moves the
alias at once, and it cannot run the pre-traffic check (moto runs no Lambda code);
run `make smoke` against the local API for the same checks.

Runs inside .venv-localaws's moto server (see moto_server.py), never in templates.
"""

from __future__ import annotations

import re
from typing import Any


def _camel(value: Any) -> Any:
    """CloudFormation's PascalCase property names -> CodeDeploy API's camelCase."""
    if isinstance(value, dict):
        return {re.sub(r"^[A-Z]+", lambda m: m.group().lower(), k): _camel(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _group_args(props: dict) -> dict[str, Any]:
    return {"application_name": props["ApplicationName"],
            "deployment_group_name": props["DeploymentGroupName"],
            "deployment_config_name": props.get("DeploymentConfigName"),
            "ec2_tag_filters": None, "on_premises_instance_tag_filters": None,
            "auto_scaling_groups": None, "service_role_arn": props["ServiceRoleArn"],
            "alarm_configuration": _camel(props.get("AlarmConfiguration")),
            "auto_rollback_configuration": _camel(props.get("AutoRollbackConfiguration")),
            "deployment_style": _camel(props.get("DeploymentStyle"))}


def shim_codedeploy() -> None:
    from moto.codedeploy.models import codedeploy_backends
    from moto.core.common_models import CloudFormationModel

    class CodeDeployApplicationModel(CloudFormationModel):
        # moto's model metaclass derives the service from the module path.
        __module__ = "moto.codedeploy.localdev_shim"

        def __init__(self, name: str) -> None:
            self.name = name

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::CodeDeploy::Application"

        @staticmethod
        def cloudformation_name_type() -> str:
            return "ApplicationName"

        @property
        def physical_resource_id(self) -> str:
            return self.name  # Ref of an application is its name

        @classmethod
        def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict,
                                            account_id: str, region_name: str,
                                            **kwargs: Any) -> "CodeDeployApplicationModel":
            props = cloudformation_json["Properties"]
            name = props.get("ApplicationName") or resource_name
            codedeploy_backends[account_id][region_name].create_application(
                name, props.get("ComputePlatform", "Server"), [])
            return cls(name)

        def delete(self, account_id: str, region_name: str) -> None:
            # moto calls this with the model; its delete_from_cloudformation_json would
            # get unresolved JSON. moto has no DeleteApplication: drop its records.
            backend = codedeploy_backends[account_id][region_name]
            backend.applications.pop(self.name, None)
            backend.deployment_groups.pop(self.name, None)

    class CodeDeployDeploymentGroupModel(CloudFormationModel):
        __module__ = "moto.codedeploy.localdev_shim"

        def __init__(self, application: str, name: str) -> None:
            self.application = application
            self.name = name

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::CodeDeploy::DeploymentGroup"

        @staticmethod
        def cloudformation_name_type() -> str:
            return "DeploymentGroupName"

        @property
        def physical_resource_id(self) -> str:
            return self.name  # Ref of a deployment group is its name

        @classmethod
        def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict,
                                            account_id: str, region_name: str,
                                            **kwargs: Any) -> "CodeDeployDeploymentGroupModel":
            args = _group_args(cloudformation_json["Properties"])
            codedeploy_backends[account_id][region_name].create_deployment_group(**args)
            return cls(args["application_name"], args["deployment_group_name"])

        @classmethod
        def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                            cloudformation_json: dict, account_id: str,
                                            region_name: str) -> "CodeDeployDeploymentGroupModel":
            # moto has no UpdateDeploymentGroup: replace the backend's record.
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                       account_id, region_name)

        def delete(self, account_id: str, region_name: str) -> None:
            groups = codedeploy_backends[account_id][region_name].deployment_groups
            groups.get(self.application, {}).pop(self.name, None)
