"""Local callers of a running `make up`: a reader and a writer user, and their tokens.

`make up` creates the two users in the launched (moto) user pool, each in its
environment's group, and records in .cache/localdev/auth-<env>.json what a later
`make token` needs. `local_token(role)` is the function tests and scripts call.
`make token RIGHTS="orders:write customers:read"` signs in a user holding exactly those
collection rights (the collections' groups, data_api.authz.collection_group), created
in the pool on first use: `rights_token(rights, env)`.

The token comes from moto's AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH) through
the stack's browser client: an access token with the claims Cognito's sign-in
APIs give (sub, username, client_id, cognito:groups, scope
aws.cognito.signin.user.admin). moto does not check the client's allowed auth
flows, nor (for this admin flow) the pool's MFA, so prod's `mfa: required` pool hands
out tokens too; in AWS a user signs in through the hosted UI (README "Access control").
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any, Optional

import boto3

from data_api import authz
from data_api_stack import ids, machine_clients
from data_api_stack.config import ConfigError
from data_api_stack import project as project_stacks
from localdev.localaws import REPO, aws_env

STATE_DIR = REPO / ".cache" / "localdev"
ROLES = {"reader": ids.OUTPUT_READERS_GROUP, "writer": ids.OUTPUT_WRITERS_GROUP}


class TokenError(RuntimeError):
    """No running local environment to get a token from; the message says why."""


def state_path(env: str) -> Path:
    return STATE_DIR / f"auth-{env}.json"


def _cognito(endpoint: str, pool: str) -> Any:
    """The local Cognito holding `pool` (a pool id starts with its region: <region>_<id>)."""
    return boto3.client("cognito-idp", region_name=pool.split("_", 1)[0], endpoint_url=endpoint,
                        aws_access_key_id="local", aws_secret_access_key="local")


def create_local_users(endpoint: str, outputs: dict[str, str]) -> dict[str, Any]:
    """A `local-reader` and a `local-writer` in the stack's pool and groups; the record
    `token_for` needs (save it with `save_record` for `make token`)."""
    pool = outputs[ids.OUTPUT_USER_POOL_ID]
    users = {role: _create_user(endpoint, pool, f"local-{role}", [outputs[group_output]])
             for role, group_output in ROLES.items()}
    return {"endpoint": endpoint, "userPoolId": pool,
            "clientId": outputs[ids.OUTPUT_BROWSER_CLIENT_ID], "users": users}


def _create_user(endpoint: str, pool: str, username: str, groups: list[str]) -> dict[str, str]:
    """A user of the local pool in these groups: {username, password}."""
    cognito = _cognito(endpoint, pool)
    # Random per user, meets the pool's password policy; never leaves this machine.
    password = secrets.token_urlsafe(18) + "aA1!"
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=password,
                                    Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
    return {"username": username, "password": password}


def save_record(env: str, record: dict[str, Any], path: Optional[Path] = None) -> None:
    """Where `make token` finds it (or `path`); readable by this user only (it holds
    passwords or secrets)."""
    path = path or state_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(record, handle)


def parse_rights(text: str, collections: tuple[str, ...]) -> dict[str, str]:
    """`orders:write customers:read` (spaces or commas) -> {collection: level}."""
    try:
        rights = machine_clients.parse_rights(text.replace(",", " ").split(),
                                              lambda name: name in collections)
    except ValueError as bad:
        raise TokenError(f"RIGHTS: expected <collection>:read or <collection>:write, each "
                         f"collection once, of {', '.join(collections)}; got {bad.args[0]!r}"
                         ) from None
    if not rights:
        raise TokenError(f"RIGHTS: expected e.g. {collections[0]}:read, got {text!r}")
    return rights


def rights_user(record: dict[str, Any], rights: dict[str, str], group_prefix: str) -> str:
    """The local user holding exactly these collection rights (its groups), created in
    the pool on first use and added to `record` (save it again)."""
    username = "local-" + "-".join(f"{name}.{level}" for name, level in sorted(rights.items()))
    if username not in record["users"]:
        record["users"][username] = _create_user(
            record["endpoint"], record["userPoolId"], username,
            [authz.collection_group(group_prefix, name, level) for name, level in rights.items()])
    return username


def token_for(record: dict[str, Any], role: str) -> str:
    """A fresh access token of the local user with this role (or this name, from
    rights_user)."""
    if role not in record["users"]:
        raise TokenError(f"ROLE must be one of {', '.join(ROLES)}, got {role!r}")
    user = record["users"][role]
    try:
        result = _cognito(record["endpoint"], record["userPoolId"]).admin_initiate_auth(
            UserPoolId=record["userPoolId"], ClientId=record["clientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]})
    except Exception as error:  # connection refused, pool gone: make up is not running
        raise TokenError(f"the local AWS at {record['endpoint']} did not answer "
                         f"({type(error).__name__}); is `make up` running?") from None
    if "AuthenticationResult" not in result:
        # The local AWS signs admins in without a challenge even where the pool requires
        # MFA (prod's `mfa: required`); should it ever ask, say so rather than KeyError.
        raise TokenError(f"the local user pool answered {user['username']}'s sign-in with "
                         f"the challenge {result.get('ChallengeName')!r}, not a token")
    return str(result["AuthenticationResult"]["AccessToken"])


def _record(env: str) -> dict[str, Any]:
    path = state_path(env)
    if not path.exists():
        raise TokenError(f"no local {env} environment: start `make up ENV={env}` first")
    return dict(json.loads(path.read_text()))


def local_token(role: str = "writer", env: str = "dev") -> str:
    """A valid token for the running `make up` of `env` (raises TokenError)."""
    if role not in ROLES:
        raise TokenError(f"ROLE must be one of {', '.join(ROLES)}, got {role!r}")
    return token_for(_record(env), role)


def rights_token(rights: str, env: str = "dev", project: Path = REPO,
                 record: Optional[dict[str, Any]] = None) -> str:
    """A valid token of a local user holding exactly `rights` ("orders:write
    customers:read") on the running `make up` of `env` (raises TokenError); `record`:
    create_local_users' record instead of the one `make up` saved."""
    from data_api_stack.openapi_cli import load_environment

    cfg = load_environment(project, env).config
    wanted = parse_rights(rights, tuple(c.name for c in cfg.collections))
    saved = _record(env) if record is None else record
    username = rights_user(saved, wanted, cfg.resource_prefix)
    if record is None:
        save_record(env, saved)
    return token_for(saved, username)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Print a fresh token of a local user")
    parser.add_argument("--env", default="dev")
    parser.add_argument("--role", default="writer", help="reader or writer")
    parser.add_argument("--rights", default="", help='e.g. "orders:write customers:read" '
                        "(instead of --role): exactly these collection rights")
    args = parser.parse_args(argv)
    try:
        project_stacks.check_environment(REPO, args.env)
        # Never a real account.
        os.environ.update(aws_env("http://127.0.0.1:1", project_stacks.region(REPO, args.env)))
    except project_stacks.ProjectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        print(rights_token(args.rights, args.env) if args.rights
              else local_token(args.role, args.env))
    except (TokenError, project_stacks.ProjectError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ConfigError as error:
        print(f"error: config/{args.env}/: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
