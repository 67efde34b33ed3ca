"""A collection's DynamoDB table: one string partition key, its billing mode, a global
secondary index per configured index (on the top-level mirror of its `data` field, all
attributes projected, so a query answers whole items) and TTL on the expiry mirror."""

from troposphere import dynamodb

from data_api_stack.collection import Collection
from data_api_stack.config import StackConfig

PARTITION_KEY = "id"


def protections(cfg: StackConfig) -> dict:
    """What every table of the stack has: point-in-time recovery, encryption, and in
    `retain_data` environments deletion protection and Retain on delete and replacement."""
    policy = "Retain" if cfg.retain_data else "Delete"
    return dict(
        PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=True,
        ),
        SSESpecification=dynamodb.SSESpecification(SSEEnabled=True),
        DeletionProtectionEnabled=cfg.retain_data,
        DeletionPolicy=policy,
        UpdateReplacePolicy=policy,
    )


def build_table(cfg: StackConfig, collection: Collection) -> dynamodb.Table:
    """Return the table, with the stack's table protections."""
    capacity = {"ProvisionedThroughput": dynamodb.ProvisionedThroughput(
        ReadCapacityUnits=cfg.read_capacity,
        WriteCapacityUnits=cfg.write_capacity,
    )} if collection.provisioned else {}
    rules: dict = {}
    if collection.indexes:
        # A provisioned table's indexes get its capacity: an index short of write
        # capacity throttles the table's writes.
        rules["GlobalSecondaryIndexes"] = [dynamodb.GlobalSecondaryIndex(
            IndexName=index.name,
            KeySchema=[dynamodb.KeySchema(AttributeName=index.attribute, KeyType="HASH")],
            Projection=dynamodb.Projection(ProjectionType="ALL"),
            **capacity) for index in collection.indexes]
    if collection.ttl_attribute is not None:
        rules["TimeToLiveSpecification"] = dynamodb.TimeToLiveSpecification(
            AttributeName=collection.ttl_attribute, Enabled=True)
    return dynamodb.Table(
        collection.table_id,
        TableName=collection.table_name(cfg.resource_prefix),
        AttributeDefinitions=[
            dynamodb.AttributeDefinition(AttributeName=PARTITION_KEY, AttributeType="S"),
            *(dynamodb.AttributeDefinition(AttributeName=index.attribute,
                                           AttributeType=index.key_type)
              for index in collection.indexes),
        ],
        KeySchema=[dynamodb.KeySchema(AttributeName=PARTITION_KEY, KeyType="HASH")],
        BillingMode=collection.billing_mode,
        **capacity,
        **rules,
        **protections(cfg),
    )
