"""The stack's idempotency records (data_api.idempotency): one table for every collection,
its partition key the hash of caller, collection and Idempotency-Key, its records deleted
by DynamoDB's TTL a day after they were written. On demand: a POST with a key writes here
as often as the item's table, whatever that table's billing.

Its name ends in `-idempotency-keys`: a hyphen no collection's name has, so no
collection's table (`<prefix>-<name>`) can take it."""

from troposphere import Sub, dynamodb

from data_api import idempotency
from data_api_stack import ids, table
from data_api_stack.config import StackConfig


def table_name(cfg: StackConfig) -> str:
    return f"{cfg.resource_prefix}-idempotency-keys"


def build_idempotency_table(cfg: StackConfig) -> dynamodb.Table:
    """Protected like the collections' tables (table.protections); deleting it early would
    only let a retry of the last day's requests write again."""
    return dynamodb.Table(
        ids.IDEMPOTENCY_TABLE,
        TableName=table_name(cfg),
        AttributeDefinitions=[dynamodb.AttributeDefinition(AttributeName=idempotency.KEY,
                                                           AttributeType="S")],
        KeySchema=[dynamodb.KeySchema(AttributeName=idempotency.KEY, KeyType="HASH")],
        BillingMode="PAY_PER_REQUEST",
        TimeToLiveSpecification=dynamodb.TimeToLiveSpecification(
            AttributeName=idempotency.EXPIRES, Enabled=True),
        **table.protections(cfg),
    )


def function_env(records: dynamodb.Table) -> dict[str, Sub]:
    """The function's variable naming the table (a Sub, sized by function.environment_bytes)."""
    return {idempotency.ENV_TABLE: Sub("${%s}" % records.title)}
