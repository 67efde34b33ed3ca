"""Sceptre template handler for the artifact bucket stack (config/<env>/artifacts.yaml)."""

from sceptre.exceptions import InvalidConfigFileError

from data_api_stack.artifacts import build_artifacts_template, parse_environment
from data_api_stack.config import ConfigError


def sceptre_handler(sceptre_user_data: dict) -> str:
    try:
        environment = parse_environment(sceptre_user_data)
    except ConfigError as error:
        raise InvalidConfigFileError(str(error)) from None
    return build_artifacts_template(environment).to_json()
