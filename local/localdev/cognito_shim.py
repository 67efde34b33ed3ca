"""Scaffolding shared by the Cognito shim models (moto's CloudFormation has none).

Each AWS::Cognito::* type gets its own small module (cognito_user_pool.py, ...) whose
model creates the resource through moto's own cognito-idp backend, so a local
`sceptre launch` makes a real moto user pool: its JWKS, its users and groups, and
the tokens it signs are what the local API checks (localdev.authorizer).
Runs under .venv-localaws only (imports moto); imports nothing from this project.
"""

from __future__ import annotations

from typing import Any

# moto's model metaclass takes the service from the second part of the module path.
MODULE = "moto.cognitoidp.localdev_shim"


def backend(account_id: str, region_name: str) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[account_id][region_name]


def without(props: dict, *keys: str) -> dict:
    """The properties moto keeps as the resource's configuration (its `extended_config`)."""
    return {k: v for k, v in props.items() if k not in keys}


class ShimModel:
    """Mixin for a `CloudFormationModel` subclass (moto lists only direct subclasses,
    so each model is `class X(ShimModel, CloudFormationModel)`). A model sets TYPE and
    ATTRIBUTES and implements `create` and `remove`; `update` defaults to replacing."""

    TYPE = ""
    ATTRIBUTES: tuple[str, ...] = ()  # what Fn::GetAtt may read

    def __init__(self, physical_id: str, props: dict, attributes: dict[str, str]) -> None:
        self.physical_id = physical_id
        self.props = props
        self.attributes = attributes

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.attributes[attribute_name]

    @classmethod
    def create(cls, cognito: Any, props: dict) -> "ShimModel":
        raise NotImplementedError

    def remove(self, cognito: Any) -> None:
        raise NotImplementedError

    def update(self, cognito: Any, props: dict) -> "ShimModel":
        self.remove(cognito)
        return self.create(cognito, props)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict,
                                        account_id: str, region_name: str,
                                        **kwargs: Any) -> "ShimModel":
        return cls.create(backend(account_id, region_name),
                          cloudformation_json.get("Properties", {}))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: "ShimModel",
                                        new_resource_name: str, cloudformation_json: dict,
                                        account_id: str, region_name: str) -> "ShimModel":
        return original_resource.update(backend(account_id, region_name),
                                        cloudformation_json.get("Properties", {}))

    def delete(self, account_id: str, region_name: str) -> None:
        from moto.cognitoidp.exceptions import ResourceNotFoundError

        try:
            self.remove(backend(account_id, region_name))
        except ResourceNotFoundError:
            pass  # its pool went first: a pool's clients, groups... go with it (as in AWS)
