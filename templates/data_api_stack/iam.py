"""The Lambda's execution role, least privilege, written with awacs.

No AWSLambdaBasicExecutionRole: it grants CreateLogGroup and writes to every
log group in the account. We grant the stream actions on our own group only.
"""

from awacs import dynamodb as ddb
from awacs import logs as awslogs
from awacs import xray
from awacs.aws import Action, Allow, PolicyDocument, Statement
from awacs.helpers.trust import get_lambda_assumerole_policy
from typing import Sequence

from troposphere import GetAtt, Sub, iam
from troposphere.dynamodb import Table
from troposphere.logs import LogGroup

from data_api import permissions
from data_api_stack import ids
from data_api_stack.config import StackConfig


def dynamodb_actions() -> list[Action]:
    """Exactly the DynamoDB API calls the handler's storage class makes."""
    return [ddb.Action(name) for name in permissions.DYNAMODB_ACTIONS]


def index_arns(tables: Sequence[Table]) -> list[Sub]:
    """Each global secondary index of these tables by its exact ARN."""
    return [Sub("${%s.Arn}/index/%s" % (table.title, index.IndexName))
            for table in tables for index in getattr(table, "GlobalSecondaryIndexes", [])]


def function_policy(tables: Sequence[Table], log_group: LogGroup,
                    records: Table) -> PolicyDocument:
    indexes = index_arns(tables)
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="ItemsTable",
                Effect=Allow,
                Action=dynamodb_actions(),
                # Each collection's table by its exact ARN, no wildcard.
                Resource=[GetAtt(table, "Arn") for table in tables],
            ),
            *([Statement(Sid="CollectionIndexes", Effect=Allow,
                         Action=[ddb.Action(name) for name in permissions.INDEX_ACTIONS],
                         Resource=indexes)] if indexes else []),
            Statement(Sid="IdempotencyRecords", Effect=Allow,
                      Action=[ddb.Action(name) for name in permissions.IDEMPOTENCY_ACTIONS],
                      Resource=[GetAtt(records, "Arn")]),
            Statement(
                Sid="OwnLogGroup",
                Effect=Allow,
                Action=[awslogs.CreateLogStream, awslogs.PutLogEvents],
                # The group's Arn attribute ends in ":*", covering its streams.
                Resource=[GetAtt(log_group, "Arn")],
            ),
            xray_statement(),
        ],
    )


def xray_statement() -> Statement:
    """What a function with TracingConfig Active needs to send its traces.

    "*" because AWS allows nothing narrower: these actions list no resource type
    (Service Authorization Reference, "Actions, resources, and condition keys for AWS
    X-Ray": with no resource type, the policy must name "*").
    """
    return Statement(Sid="XRayTraces", Effect=Allow,
                     Action=[xray.PutTraceSegments, xray.PutTelemetryRecords],
                     Resource=["*"])


def build_function_role(cfg: StackConfig, tables: Sequence[Table],
                        log_group: LogGroup, records: Table) -> iam.Role:
    return iam.Role(
        ids.FUNCTION_ROLE,
        Description=f"Execution role of the {cfg.environment} data API function",
        AssumeRolePolicyDocument=get_lambda_assumerole_policy(),
        Policies=[iam.Policy(PolicyName="least-privilege",
                             PolicyDocument=function_policy(tables, log_group, records))],
    )
