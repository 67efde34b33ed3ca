"""Shim model: AWS::Cognito::UserPoolDomain on moto's cognito-idp (see cognito_shim)."""

from __future__ import annotations

from typing import Any

from cognito_shim import MODULE, ShimModel


def shim() -> None:
    from moto.core.common_models import CloudFormationModel

    class UserPoolDomainModel(ShimModel, CloudFormationModel):
        __module__ = MODULE
        TYPE = "AWS::Cognito::UserPoolDomain"

        @classmethod
        def create(cls, cognito: Any, props: dict) -> "UserPoolDomainModel":
            cognito.create_user_pool_domain(props["UserPoolId"], props["Domain"])
            return cls(props["Domain"], props, {})

        def remove(self, cognito: Any) -> None:
            cognito.delete_user_pool_domain(self.physical_id)
