"""Shim model: AWS::Cognito::UserPoolClient on moto's cognito-idp (see cognito_shim)."""

from __future__ import annotations

from typing import Any

from cognito_shim import MODULE, ShimModel, without


def shim() -> None:
    from moto.core.common_models import CloudFormationModel

    class UserPoolClientModel(ShimModel, CloudFormationModel):
        __module__ = MODULE
        TYPE = "AWS::Cognito::UserPoolClient"
        ATTRIBUTES = ("ClientId", "ClientSecret", "Name")
        props: dict[str, Any]

        @classmethod
        def create(cls, cognito: Any, props: dict) -> "UserPoolClientModel":
            client = cognito.create_user_pool_client(
                props["UserPoolId"], bool(props.get("GenerateSecret")),
                without(props, "UserPoolId", "GenerateSecret"))
            return cls(client.id, props, {"ClientId": client.id, "Name": props.get("ClientName", ""),
                                          "ClientSecret": client.secret
                                          if client.generate_secret else ""})

        def update(self, cognito: Any, props: dict) -> "UserPoolClientModel":
            if (props["UserPoolId"], props.get("GenerateSecret")) != (
                    self.props["UserPoolId"], self.props.get("GenerateSecret")):
                return super().update(cognito, props)  # CloudFormation replaces it too
            cognito.update_user_pool_client(props["UserPoolId"], self.physical_id,
                                            without(props, "UserPoolId", "GenerateSecret"))
            self.props = props
            return self

        def remove(self, cognito: Any) -> None:
            cognito.delete_user_pool_client(self.props["UserPoolId"], self.physical_id)
