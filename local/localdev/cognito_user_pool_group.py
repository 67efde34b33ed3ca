"""Shim model: AWS::Cognito::UserPoolGroup on moto's cognito-idp (see cognito_shim)."""

from __future__ import annotations

from typing import Any

from cognito_shim import MODULE, ShimModel


def shim() -> None:
    from moto.core.common_models import CloudFormationModel

    class UserPoolGroupModel(ShimModel, CloudFormationModel):
        __module__ = MODULE
        TYPE = "AWS::Cognito::UserPoolGroup"

        @classmethod
        def create(cls, cognito: Any, props: dict) -> "UserPoolGroupModel":
            group = cognito.create_group(props["UserPoolId"], props["GroupName"],
                                         props.get("Description"), props.get("RoleArn"),
                                         props.get("Precedence"))
            return cls(group.group_name, props, {})

        def remove(self, cognito: Any) -> None:
            cognito.delete_group(self.props["UserPoolId"], self.physical_id)
