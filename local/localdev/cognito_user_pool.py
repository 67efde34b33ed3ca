"""Shim model: AWS::Cognito::UserPool on moto's cognito-idp (see cognito_shim)."""

from __future__ import annotations

from typing import Any

from cognito_shim import MODULE, ShimModel, without


def shim() -> None:
    from moto.core.common_models import CloudFormationModel

    class UserPoolModel(ShimModel, CloudFormationModel):
        __module__ = MODULE
        TYPE = "AWS::Cognito::UserPool"
        ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

        @classmethod
        def create(cls, cognito: Any, props: dict) -> "UserPoolModel":
            pool = cognito.create_user_pool(props.get("UserPoolName", "pool"),
                                            without(props, "UserPoolName"))
            provider = f"cognito-idp.{cognito.region_name}.amazonaws.com/{pool.id}"
            return cls(pool.id, props, {"Arn": pool.arn, "ProviderName": provider,
                                        "ProviderURL": f"https://{provider}",
                                        "UserPoolId": pool.id})

        def update(self, cognito: Any, props: dict) -> "UserPoolModel":
            # In place, as CloudFormation does: replacing the pool would lose its users.
            cognito.update_user_pool(self.physical_id, without(props, "UserPoolName"))
            self.props = props
            return self

        def remove(self, cognito: Any) -> None:
            cognito.delete_user_pool(self.physical_id)
