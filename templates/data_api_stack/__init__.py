"""CloudFormation for the serverless data API, written with Troposphere and awacs."""

from data_api_stack.config import ConfigError, StackConfig, parse_config
from data_api_stack.template import build_template

__all__ = ["ConfigError", "StackConfig", "build_template", "parse_config"]
