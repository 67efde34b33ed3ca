"""The Lambda function that serves the API."""

import hashlib
import json
import re
from typing import Any, Sequence

from troposphere import GetAtt, Join, Parameter, Ref, Sub, awslambda
from troposphere.dynamodb import Table
from troposphere.iam import Role
from troposphere.logs import LogGroup

from data_api import aws_client, collection_env
from data_api_stack import idempotency_table, ids
from data_api_stack.collection import Collection, collection_paths
from data_api_stack.config import StackConfig
from data_api_stack.limits import LimitError
from data_api_stack.request_models import bare

# Module path inside the zip built from handlers/ (see hooks/lambda_artifact).
HANDLER = "data_api.handler.lambda_handler"
# The alias API Gateway invokes; CodeDeploy shifts it between versions.
LIVE_ALIAS = "live"
MAX_DESCRIPTION = 256  # characters, AWS::Lambda::Function Description
# Lambda: every variable's name and value together, not adjustable (Lambda quotas).
MAX_ENVIRONMENT_BYTES = 4096
# A value CloudFormation fills in at deploy time, at its longest (two Cognito client ids);
# a list of them (Fn::Join) counts each.
DEPLOY_TIME_VALUE_BYTES = 60
CLIENT_ID_BYTES = 30


class JsonLoggingConfig(awslambda.LoggingConfig):
    """Troposphere 4.11.1's LoggingConfig lacks LogFormat; CloudFormation has it."""

    props = {**awslambda.LoggingConfig.props, "LogFormat": (str, False)}


def build_artifact_bucket_parameter() -> Parameter:
    return Parameter(
        ids.ARTIFACT_BUCKET_PARAM,
        Type="String",
        Description="S3 bucket holding the Lambda artifact (the artifacts stack's BucketName)",
        AllowedPattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
    )


def _entry(collection: Collection, table_id: str) -> str:
    """One collection's value in COLLECTIONS, as Fn::Sub text: its table a `${Ref}`, any
    `${` of its schema escaped (`${!`)."""
    schema = bare(collection.schema) if collection.schema is not None else None
    value = collection_env.settings_value(
        "", schema, collection.indexes, collection.ttl_attribute,
        "" if collection.path == f"/{collection.name}" else collection.name, collection.access)
    if value == "":
        return json.dumps("${" + table_id + "}")
    text = json.dumps(value, separators=(",", ":")).replace("${", "${!")
    return text.replace('{"table":""', '{"table":"${' + table_id + '}"', 1)


def collections_variable(cfg: StackConfig, tables: Sequence[Table]) -> Sub:
    """COLLECTIONS: each collection's path -> its table's name (a Ref, so the function
    follows the table) and rules, as the handler reads it (data_api.collection_env)."""
    return Sub("{" + ",".join(json.dumps(c.path) + ":" + _entry(c, table.title)
                              for c, table in zip(cfg.collections, tables)) + "}")


def environment_bytes(cfg: StackConfig, variables: dict[str, Any],
                      unknown: int = DEPLOY_TIME_VALUE_BYTES) -> int:
    """The variables' size as Lambda measures it: the JSON of the whole map (its error
    quotes that string, inner quotes escaped), tables resolved to their names and any
    other deploy-time value at its longest (`unknown` bytes)."""
    names = {c.table_id: c.table_name(cfg.resource_prefix) for c in cfg.collections}
    names[ids.IDEMPOTENCY_TABLE] = idempotency_table.table_name(cfg)
    resolved = {}
    for key, value in variables.items():
        if isinstance(value, Sub):
            text = value.to_dict()["Fn::Sub"]
            value = re.sub(r"\$\{([\w:]+)\}", lambda m: names.get(m.group(1), "x" * unknown),
                           text[0] if isinstance(text, list) else text).replace("${!", "${")
        if isinstance(value, Join):
            value = ",".join("x" * CLIENT_ID_BYTES for _ in value.to_dict()["Fn::Join"][1])
        resolved[key] = value if isinstance(value, str) else "x" * unknown
    return len(json.dumps(resolved, separators=(",", ":")).encode())


def checked_environment(cfg: StackConfig, variables: dict[str, Any], whose: str, hint: str,
                        unknown: int = DEPLOY_TIME_VALUE_BYTES) -> dict[str, Any]:
    """`variables`, or LimitError if Lambda would refuse them (4 KB in all)."""
    size = environment_bytes(cfg, variables, unknown)
    if size > MAX_ENVIRONMENT_BYTES:
        raise LimitError([(f"bytes in {whose} environment (Lambda)", size,
                           MAX_ENVIRONMENT_BYTES)], hint)
    return variables


def _checked(cfg: StackConfig, variables: dict[str, Any]) -> dict[str, Any]:
    return checked_environment(
        cfg, variables, "the function's",
        f" (its {collection_env.ENV} variable carries each collection's table, schema, "
        "indexes and expiry: shorter schemas fit more; titles and descriptions are left "
        "out already)")


def _description(cfg: StackConfig) -> str:
    """The collections' paths, or their count where the paths pass Lambda's 256 characters."""
    text = f"Data API ({cfg.environment}): CRUD on {{}} backed by DynamoDB"
    paths = text.format(", ".join(collection_paths(cfg.collections)))
    return paths if len(paths) <= MAX_DESCRIPTION else text.format(
        f"{len(cfg.collections)} collections")


def build_function(cfg: StackConfig, bucket: Parameter, role: Role, tables: Sequence[Table],
                   log_group: LogGroup, auth_env: dict[str, Any]) -> awslambda.Function:
    return awslambda.Function(
        ids.FUNCTION,
        FunctionName=cfg.function_name,
        Description=_description(cfg),
        Runtime=cfg.runtime,
        Architectures=[cfg.architecture],
        Handler=HANDLER,
        # The key is content-addressed (lambda/api-<sha256>.zip): new code, new key,
        # so a review of `sceptre generate` shows exactly when the code changed.
        Code=awslambda.Code(S3Bucket=Ref(bucket), S3Key=cfg.code_key),
        Role=GetAtt(role, "Arn"),
        MemorySize=cfg.memory_mb,
        Timeout=cfg.timeout_seconds,
        # This environment can never take the account's (or the other environment's)
        # executions, and always has these for itself (config.required_concurrency).
        ReservedConcurrentExecutions=cfg.function_concurrency,
        Environment=awslambda.Environment(Variables=_checked(cfg, {
            collection_env.ENV: collections_variable(cfg, tables),
            "CORS_ORIGIN": cfg.cors_origin,
            aws_client.TIMEOUT_ENV: str(cfg.timeout_seconds),  # the client's timeouts fit it
            **auth_env,  # who may call (data_api.authz), from auth.build_auth
        })),
        TracingConfig=awslambda.TracingConfig(Mode="Active"),
        # Ref to the group also makes CloudFormation create it before the function.
        LoggingConfig=JsonLoggingConfig(LogFormat="JSON", LogGroup=Ref(log_group),
                                        ApplicationLogLevel="INFO", SystemLogLevel="WARN"),
        **({"SnapStart": awslambda.SnapStart(ApplyOn="PublishedVersions")}
           if cfg.snapstart else {}),
    )


def build_live_alias(fn: awslambda.Function) -> tuple[awslambda.Version, awslambda.Alias]:
    """A published version and the `live` alias API Gateway invokes, in every environment.

    A Version is immutable and CloudFormation publishes one only when the Version
    resource is new, so its logical ID hashes the function's whole definition: code
    (the content-addressed key), environment, runtime, architecture, memory, timeout,
    role, SnapStart, logging... any change publishes a new version and moves the
    alias to it (SAM's AutoPublishAlias hashes only the code: SAM issue #3820).
    Except ReservedConcurrentExecutions, which is no version's: "Concurrency settings
    apply to the function as a whole, including all published versions" (Lambda API,
    PutFunctionConcurrency).
    """
    definition = fn.to_dict()
    definition["Properties"] = {key: value for key, value in definition["Properties"].items()
                                if key != "ReservedConcurrentExecutions"}
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    version = awslambda.Version(ids.FUNCTION_VERSION_PREFIX + digest[:12],
                                FunctionName=Ref(fn),
                                Description="Published by the stack for the live alias")
    alias = awslambda.Alias(ids.FUNCTION_ALIAS, Name=LIVE_ALIAS, FunctionName=Ref(fn),
                            FunctionVersion=GetAtt(version, "Version"))
    return version, alias


def alias_arn(fn: awslambda.Function) -> Sub:
    """The live alias's ARN, built from the function's (not a Ref to the alias, so
    roles the alias depends on can name it without a dependency cycle)."""
    return Sub("${Fn}:" + LIVE_ALIAS, Fn=GetAtt(fn, "Arn"))
