"""Shim model: AWS::Cognito::UserPoolResourceServer on moto's cognito-idp (see cognito_shim)."""

from __future__ import annotations

from typing import Any

from cognito_shim import MODULE, ShimModel


def shim() -> None:
    from moto.core.common_models import CloudFormationModel

    class ResourceServerModel(ShimModel, CloudFormationModel):
        __module__ = MODULE
        TYPE = "AWS::Cognito::UserPoolResourceServer"

        @classmethod
        def create(cls, cognito: Any, props: dict) -> "ResourceServerModel":
            server = cognito.create_resource_server(props["UserPoolId"], props["Identifier"],
                                                    props["Name"], props.get("Scopes", []))
            return cls(server.identifier, props, {})

        def remove(self, cognito: Any) -> None:
            # moto 5.2.5 has no DeleteResourceServer: drop it from the pool directly.
            pool = cognito.describe_user_pool(self.props["UserPoolId"])
            pool.resource_servers.pop(self.physical_id, None)
