"""Sceptre template handler for the API stack (config/<env>/api.yaml)."""

from sceptre.exceptions import InvalidConfigFileError

from data_api_stack import ConfigError, build_template, parse_config, render
from data_api_stack.apigw_schema import ModelSchemaError


def sceptre_handler(sceptre_user_data: dict) -> str:
    """Sceptre calls this on generate/launch; it must return the template body."""
    try:
        config = parse_config(sceptre_user_data)
        # Compact: CloudFormation takes at most 51,200 bytes of TemplateBody; whitespace
        # is ~25 % of an indented body. `sceptre --output json generate` re-indents it.
        return render.to_json(build_template(config))
    except (ConfigError, ModelSchemaError) as error:
        # A SceptreException prints as one line instead of a traceback.
        raise InvalidConfigFileError(str(error)) from None
