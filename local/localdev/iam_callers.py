"""Local SigV4 callers of a running `make up` with `auth: iam`: a reader and a writer.

`make up` creates two IAM users in the local AWS, `local-reader` and `local-writer`,
each with an access key and the stack's read-only or read-write managed policy
attached (the stack outputs name them), and records the keys in
.cache/localdev/iam-<env>.json (this user only): IAM never returns a secret again,
and the local API needs it to recompute a signature (sigv4.iam_principals).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3

from data_api_stack import ids
from localdev import tokens
from localdev.sigv4 import IamAuthorizer, iam_principals

POLICY_OUTPUTS = {"reader": f"{ids.READER_POLICY}Arn", "writer": f"{ids.WRITER_POLICY}Arn"}


def state_path(env: str) -> Path:
    return tokens.STATE_DIR / f"iam-{env}.json"


def api_region(outputs: dict[str, str]) -> str:
    """The stack's region, from its ApiUrl (https://<id>.execute-api.<region>.amazonaws.com)."""
    return (urlsplit(outputs[ids.OUTPUT_API_URL]).hostname or "").split(".")[2]


def iam_client(endpoint: str, region: str) -> Any:
    return boto3.client("iam", region_name=region, endpoint_url=endpoint,
                        aws_access_key_id="local", aws_secret_access_key="local")


def is_iam(outputs: dict[str, str]) -> bool:
    return all(key in outputs for key in POLICY_OUTPUTS.values())


def create_caller(endpoint: str, region: str, user: str,
                  policy_arns: list[str]) -> dict[str, str]:
    """An IAM user with these managed policies attached and an access key:
    {user, accessKeyId, secretAccessKey}."""
    iam = iam_client(endpoint, region)
    iam.create_user(UserName=user)
    for arn in policy_arns:
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return {"user": user, "accessKeyId": key["AccessKeyId"],
            "secretAccessKey": key["SecretAccessKey"]}


def create_local_callers(endpoint: str, outputs: dict[str, str]) -> dict[str, dict[str, str]]:
    """role -> {user, accessKeyId, secretAccessKey}, the stack's policy attached."""
    return {role: create_caller(endpoint, api_region(outputs), f"local-{role}", [outputs[output]])
            for role, output in POLICY_OUTPUTS.items()}


def authorizer(endpoint: str, outputs: dict[str, str], stage: str,
               callers: dict[str, dict[str, str]]) -> IamAuthorizer:
    """The local API's AWS_IAM check for this stack (API id from its ApiUrl output)."""
    api_id = (urlsplit(outputs[ids.OUTPUT_API_URL]).hostname or "").split(".", 1)[0]
    secrets = {c["accessKeyId"]: c["secretAccessKey"] for c in callers.values()}
    region = api_region(outputs)
    return IamAuthorizer(iam_principals(iam_client(endpoint, region), secrets), api_id, stage,
                         region)


def banner(env: str, base: str, callers: dict[str, dict[str, str]], region: str) -> str:
    """The lines `make up` prints: credentials and signed requests (curl >= 7.75)."""
    lines = [f"\nLocal IAM users (auth: iam): local-reader, local-writer; keys also in "
             f"{state_path(env)}"]
    for role, caller in callers.items():
        lines += [f"  export {role.upper()}_KEY={caller['accessKeyId']}",
                  f"  export {role.upper()}_SECRET={caller['secretAccessKey']}"]
    sign = f'--aws-sigv4 "aws:amz:{region}:execute-api"'
    lines += [f"Signed requests (SigV4, service execute-api, region {region}):",
              f'  curl -s {sign} --user "$READER_KEY:$READER_SECRET" {base}/data',
              f'  curl -s {sign} --user "$WRITER_KEY:$WRITER_SECRET" -X POST {base}/data '
              "-H 'Content-Type: application/json' -d '{\"id\": \"hello\", \"data\": {}}'",
              f"  curl -s -i {base}/data    # unsigned: 401"]
    return "\n".join(lines) + "\n"


def save(env: str, callers: dict[str, dict[str, str]]) -> None:
    tokens.save_record(env, callers, state_path(env))
