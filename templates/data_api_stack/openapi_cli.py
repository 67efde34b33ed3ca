"""`make openapi ENV=<env>`: write one environment's OpenAPI document.

The environment's config is read through Sceptre, exactly as `sceptre generate` reads it
(offline). The server is the deployed stage URL (the stack's ApiUrl output) when the stack
can be read with the current credentials, else a templated stage URL.

    python -m data_api_stack.openapi_cli --env dev --out openapi-dev.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from data_api_stack import project as project_stacks
from data_api_stack.config import ConfigError, StackConfig, parse_config
from data_api_stack.ids import OUTPUT_API_URL, OUTPUT_TOKEN_ENDPOINT
from data_api_stack.openapi import build_openapi, templated_server


@dataclass(frozen=True)
class Environment:
    config: StackConfig
    stack_name: str
    region: str
    profile: Optional[str]
    sceptre_role: Optional[str]


def load_environment(project: Path, env: str) -> Environment:
    """The API stack of config/<env>/api.yaml, as Sceptre resolves it (ConfigError for a
    bad setting, project.ProjectError for a config Sceptre cannot read)."""
    stack = project_stacks.sceptre_stack(project, f"{env}/{project_stacks.API_STACK}.yaml")
    return Environment(parse_config(project_stacks.user_data(stack)), stack.external_name,
                       stack.region, stack.profile, stack.sceptre_role)


def deployed_outputs(environment: Environment) -> dict[str, str]:
    """The stack's outputs, or none when it cannot be read (offline, no stack...)."""
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
    from sceptre.connection_manager import ConnectionManager
    from sceptre.exceptions import SceptreException

    try:
        # Sceptre's session for the stack: its profile, region and sceptre_role (assumed).
        session = ConnectionManager(environment.region, environment.profile,
                                    environment.stack_name,
                                    environment.sceptre_role).get_session()
        client = session.client("cloudformation", config=Config(
            connect_timeout=3, read_timeout=5, retries={"max_attempts": 1}))
        stack = client.describe_stacks(StackName=environment.stack_name)["Stacks"][0]
    except (BotoCoreError, ClientError, SceptreException):
        return {}
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _https(url: Optional[str]) -> Optional[str]:
    # moto (the local AWS) skips AWS::ApiGateway::Stage, leaving "/None/" in the URL.
    return url.rstrip("/") if url and url.startswith("https://") and "/None" not in url else None


def document(project: Path, env: str, server_url: Optional[str] = None,
             discover: bool = True) -> dict[str, Any]:
    """The document; `server_url` wins, else the deployed URL, else the templated one."""
    environment = load_environment(project, env)
    outputs = deployed_outputs(environment) if discover else {}
    url = server_url or _https(outputs.get(OUTPUT_API_URL))
    server = ({"url": url, "description": f"stage {environment.config.environment}"} if url
              else templated_server(environment.config.environment, environment.region))
    return build_openapi(environment.config, [server],
                         _https(outputs.get(OUTPUT_TOKEN_ENDPOINT)))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev", help="environment folder under config/")
    parser.add_argument("--out", help="file to write (default: standard output)")
    parser.add_argument("--project", default=".", help="the Sceptre project folder")
    parser.add_argument("--offline", action="store_true",
                        help="do not look up the deployed stack; use the templated server")
    args = parser.parse_args(argv)
    project = Path(args.project)
    try:
        project_stacks.check_environment(project, args.env)
    except project_stacks.ProjectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        text = json.dumps(document(project, args.env, discover=not args.offline), indent=2)
    except ConfigError as error:
        print(f"error: config/{args.env}/: {error}", file=sys.stderr)
        return 1
    except project_stacks.ProjectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_text(text + "\n")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
