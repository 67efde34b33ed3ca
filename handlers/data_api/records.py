"""Idempotency records in DynamoDB (data_api.idempotency says what they mean): written in
one transaction with the item they answer for, read back for a retry.

By hand rather than Powertools' idempotency utility, whose record is written before the
function runs and completed by a second, separate write (README "Retries without
doubles" has the comparison): only one transaction holding both the item and its record
leaves no moment where one exists without the other.
"""

from __future__ import annotations

from typing import Any, Optional

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from data_api.idempotency import EXPIRES, KEY
from data_api.mirrors import expired, now

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class Recorded(Exception):
    """A live record is there: its attributes (None if DynamoDB returned none)."""

    def __init__(self, attributes: Optional[dict[str, Any]]) -> None:
        super().__init__("an idempotency record exists")
        self.attributes = attributes


class ItemExists(Exception):
    """The item's own condition failed: its id is taken."""


class Collided(Exception):
    """Another transaction on the same record or item, at this very instant."""


def _plain(attributes: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in attributes.items()}


def write_with_record(client: Any, put: dict[str, Any], table: str,
                      attributes: dict[str, Any]) -> None:
    """The item's Put (put_item's arguments) and its record's as one transaction. Raises
    Recorded when a live record has the key, Collided when DynamoDB reports another
    transaction on either (TransactionConflict), ItemExists when only the item's condition
    failed, and botocore's error otherwise."""
    record = {"TableName": table,
              "Item": {name: _serializer.serialize(value) for name, value in attributes.items()},
              "ConditionExpression": "attribute_not_exists(#key) OR #expires <= :now",
              "ExpressionAttributeNames": {"#key": KEY, "#expires": EXPIRES},
              "ExpressionAttributeValues": {":now": {"N": str(now())}},
              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    try:
        client.transact_write_items(TransactItems=[{"Put": put}, {"Put": record}])
    except client.exceptions.TransactionCanceledException as error:
        reasons = error.response.get("CancellationReasons") or []
        codes = [reason.get("Code") for reason in reasons]
        if "TransactionConflict" in codes:
            raise Collided() from None
        if len(codes) == 2 and codes[1] == "ConditionalCheckFailed":
            old = reasons[1].get("Item")
            raise Recorded(_plain(old) if old else None) from None
        if codes[:1] == ["ConditionalCheckFailed"]:
            raise ItemExists() from None
        raise


def cancelled_by(error: Any, codes: frozenset[str], saying: str = "") -> bool:
    """Whether a cancelled transaction's reasons include one of these codes (with a
    message holding `saying`, any case)."""
    response = getattr(error, "response", None)
    reasons = response.get("CancellationReasons") or [] if isinstance(response, dict) else []
    return any(reason.get("Code") in codes and saying.lower() in
               str(reason.get("Message", "")).lower() for reason in reasons)


def read(client: Any, table: str, key: str) -> Optional[dict[str, Any]]:
    """The live record of this key (deserialized), or None."""
    response = client.get_item(TableName=table, Key={KEY: {"S": key}}, ConsistentRead=True)
    attributes = _plain(response["Item"]) if "Item" in response else None
    return None if attributes is None or expired(attributes.get(EXPIRES)) else attributes
