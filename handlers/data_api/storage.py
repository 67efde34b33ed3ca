"""Storage: the items table through one DynamoDB client, handed in by the caller.

Every write is conditional, so nothing is overwritten, created or deleted by
accident. permissions.DYNAMODB_ACTIONS lists the calls made here; the IAM policy
in the template is built from it, and a test checks the two agree.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from data_api.errors import CONFLICT, PRECONDITION_FAILED, ApiError, bad_parameter, not_found

from data_api.permissions import DYNAMODB_ACTIONS  # noqa: F401  (the calls made here)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _item(attributes: dict) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in attributes.items()}


def _existing_at(if_match: Optional[int]) -> tuple[str, dict[str, dict[str, str]]]:
    """Write condition: the item exists and, with If-Match, is still at that version."""
    if if_match is None:
        return "attribute_exists(id)", {}
    return "attribute_exists(id) AND version = :expected", {":expected": {"N": str(if_match)}}


class PageTokens:
    """Opaque `next` tokens: the last key, signed so a tampered token is a 400."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()[:32]

    def encode(self, item_id: str) -> str:
        payload = json.dumps({"id": item_id}, separators=(",", ":")).encode()
        raw = self._sign(payload).encode() + b"." + payload
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            signature, payload = raw.split(b".", 1)
            if not hmac.compare_digest(signature.decode(), self._sign(payload)):
                raise ValueError("signature")
            item_id = json.loads(payload)["id"]
            if not isinstance(item_id, str):
                raise ValueError("id")
            return item_id
        except (ValueError, binascii.Error, KeyError, TypeError, UnicodeDecodeError):
            raise bad_parameter("next token is malformed or was altered; "
                              "use the value from the previous page") from None


class Storage:
    """CRUD on the items table; the client and table name come from the caller."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self.tokens = PageTokens(table_name)

    def create(self, item_id: Optional[str], data: Any) -> dict[str, Any]:
        now = _now()
        item = {"id": item_id or str(uuid.uuid4()), "data": data, "created_at": now,
                "updated_at": now, "version": 1}
        try:
            self._client.put_item(
                TableName=self._table,
                Item={name: _serializer.serialize(value) for name, value in item.items()},
                ConditionExpression="attribute_not_exists(id)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            raise ApiError(409, CONFLICT, f"an item with id {item['id']!r} already exists; "
                           "use PUT /data/{id} to change it") from None
        return item

    def get(self, item_id: str) -> dict[str, Any]:
        response = self._client.get_item(TableName=self._table, Key=self._key(item_id),
                                         ConsistentRead=True)
        if "Item" not in response:
            raise not_found()
        return _item(response["Item"])

    def replace(self, item_id: str, data: Any, if_match: Optional[int]) -> dict[str, Any]:
        condition, expected = _existing_at(if_match)
        values = {":data": _serializer.serialize(data), ":now": {"S": _now()},
                  ":one": {"N": "1"}, ":zero": {"N": "0"}, **expected}
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(item_id),
                # if_not_exists: an item written by other tools may lack a version.
                UpdateExpression=("SET #data = :data, updated_at = :now, "
                                  "version = if_not_exists(version, :zero) + :one"),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#data": "data"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            raise self._why_condition_failed(item_id, if_match) from None
        return _item(response["Attributes"])

    def delete(self, item_id: str, if_match: Optional[int]) -> None:
        condition, values = _existing_at(if_match)
        try:
            self._client.delete_item(TableName=self._table, Key=self._key(item_id),
                                     ConditionExpression=condition,
                                     **({"ExpressionAttributeValues": values} if values else {}))
        except self._client.exceptions.ConditionalCheckFailedException:
            raise self._why_condition_failed(item_id, if_match) from None

    def list_page(self, limit: int, token: Optional[str]) -> tuple[list[dict], Optional[str]]:
        """Exactly `limit` items (fewer only on the last page) and the next token.

        Scan stops at 1 MB or `Limit`, whichever first, so keep scanning until the
        page is full; asking only for the remainder makes the last item returned
        the scan position, so pages never overlap or skip.
        """
        start = self._key(self.tokens.decode(token)) if token else None
        items: list[dict] = []
        while len(items) < limit:
            kwargs: dict[str, Any] = {"TableName": self._table, "Limit": limit - len(items)}
            if start:
                kwargs["ExclusiveStartKey"] = start
            response = self._client.scan(**kwargs)
            items += [_item(raw) for raw in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                return items, None
        return items, self.tokens.encode(items[-1]["id"])

    def _why_condition_failed(self, item_id: str, if_match: Optional[int]) -> ApiError:
        current = self._client.get_item(TableName=self._table, Key=self._key(item_id),
                                        ConsistentRead=True, ProjectionExpression="version")
        if "Item" not in current:
            return not_found()
        version = current["Item"]["version"]["N"]
        return ApiError(412, PRECONDITION_FAILED,
                        f"If-Match {if_match} is stale: the item is at version {version}",
                        {"ETag": f'"{version}"'})

    @staticmethod
    def _key(item_id: str) -> dict[str, dict[str, str]]:
        return {"id": {"S": item_id}}
