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

from data_api_stack.config import ConfigError, StackConfig, parse_config
from data_api_stack.ids import OUTPUT_API_URL, OUTPUT_TOKEN_ENDPOINT
from data_api_stack.openapi import build_openapi, templated_server


@dataclass(frozen=True)
class Environment:
    config: StackConfig
    stack_name: str
    region: str
    profile: Optional[str]


def load_environment(project: Path, env: str) -> Environment:
    """The API stack of config/<env>/api.yaml, as Sceptre resolves it."""
    from sceptre.context import SceptreContext
    from sceptre.plan.plan import SceptrePlan

    plan = SceptrePlan(SceptreContext(project_path=str(project),
                                      command_path=f"{env}/api.yaml"))
    stack = next(iter(plan.command_stacks))  # (its repr would resolve launch-time values)
    return Environment(parse_config(stack.sceptre_user_data), stack.external_name,
                       stack.region, stack.profile)


def deployed_outputs(environment: Environment) -> dict[str, str]:
    """The stack's outputs, or none when it cannot be read (offline, no stack...)."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        session = boto3.session.Session(profile_name=environment.profile,
                                        region_name=environment.region)
        client = session.client("cloudformation", config=Config(
            connect_timeout=3, read_timeout=5, retries={"max_attempts": 1}))
        stack = client.describe_stacks(StackName=environment.stack_name)["Stacks"][0]
    except (BotoCoreError, ClientError):
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
    if not (project / "config" / args.env / "api.yaml").is_file():
        print(f"error: no environment {args.env!r} (no config/{args.env}/api.yaml)",
              file=sys.stderr)
        return 2
    try:
        text = json.dumps(document(project, args.env, discover=not args.offline), indent=2)
    except ConfigError as error:
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
