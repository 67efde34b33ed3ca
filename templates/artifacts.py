"""Sceptre template handler for the artifact bucket stack (config/<env>/artifacts.yaml).

It reads the environment's settings as the api stack does (one parser, one set of
keys), so a bad setting fails both the same way."""

from sceptre.exceptions import InvalidConfigFileError

from data_api_stack.artifacts import build_artifacts_template
from data_api_stack.config import ConfigError, parse_config


def sceptre_handler(sceptre_user_data: dict) -> str:
    try:
        config = parse_config(sceptre_user_data)
    except ConfigError as error:
        raise InvalidConfigFileError(str(error)) from None
    return build_artifacts_template(config).to_json()
