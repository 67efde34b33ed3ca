"""The DynamoDB table: one string partition key, provisioned capacity."""

from troposphere import dynamodb

from data_api_stack import ids
from data_api_stack.config import StackConfig

PARTITION_KEY = "id"


def build_table(cfg: StackConfig) -> dynamodb.Table:
    """Return the table; `retain_data` envs keep it on stack delete and replacement."""
    policy = "Retain" if cfg.retain_data else "Delete"
    return dynamodb.Table(
        ids.TABLE,
        TableName=f"{cfg.name_prefix}-items",
        AttributeDefinitions=[
            dynamodb.AttributeDefinition(AttributeName=PARTITION_KEY, AttributeType="S"),
        ],
        KeySchema=[dynamodb.KeySchema(AttributeName=PARTITION_KEY, KeyType="HASH")],
        BillingMode="PROVISIONED",
        ProvisionedThroughput=dynamodb.ProvisionedThroughput(
            ReadCapacityUnits=cfg.read_capacity,
            WriteCapacityUnits=cfg.write_capacity,
        ),
        PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=True,
        ),
        SSESpecification=dynamodb.SSESpecification(SSEEnabled=True),
        DeletionProtectionEnabled=cfg.retain_data,
        DeletionPolicy=policy,
        UpdateReplacePolicy=policy,
    )
