"""A collection's DynamoDB table: one string partition key, its billing mode."""

from troposphere import dynamodb

from data_api_stack.collection import Collection
from data_api_stack.config import StackConfig

PARTITION_KEY = "id"


def build_table(cfg: StackConfig, collection: Collection) -> dynamodb.Table:
    """Return the table; `retain_data` envs keep it on stack delete and replacement."""
    policy = "Retain" if cfg.retain_data else "Delete"
    capacity = {"ProvisionedThroughput": dynamodb.ProvisionedThroughput(
        ReadCapacityUnits=cfg.read_capacity,
        WriteCapacityUnits=cfg.write_capacity,
    )} if collection.provisioned else {}
    return dynamodb.Table(
        collection.table_id,
        TableName=collection.table_name(cfg.name_prefix),
        AttributeDefinitions=[
            dynamodb.AttributeDefinition(AttributeName=PARTITION_KEY, AttributeType="S"),
        ],
        KeySchema=[dynamodb.KeySchema(AttributeName=PARTITION_KEY, KeyType="HASH")],
        BillingMode=collection.billing_mode,
        **capacity,
        PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=True,
        ),
        SSESpecification=dynamodb.SSESpecification(SSEEnabled=True),
        DeletionProtectionEnabled=cfg.retain_data,
        DeletionPolicy=policy,
        UpdateReplacePolicy=policy,
    )
