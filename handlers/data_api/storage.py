"""Storage: the items table through one DynamoDB client, handed in by the caller.

Every write is conditional, so nothing is overwritten, created or deleted by
accident. permissions.DYNAMODB_ACTIONS lists the calls made here; the IAM policy
in the template is built from it, and a test checks the two agree.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from data_api import etags, paging, tokens
from data_api.errors import CONFLICT, PRECONDITION_FAILED, ApiError, not_found
from data_api.etags import INCARNATION_ATTRIBUTE, VERSION_ATTRIBUTE, IfMatch
from data_api.permissions import DYNAMODB_ACTIONS  # noqa: F401  (the calls made here)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_NAMES = {"#version": VERSION_ATTRIBUTE, "#incarnation": INCARNATION_ATTRIBUTE}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _item(attributes: dict) -> dict[str, Any]:
    return etags.present({name: _deserializer.deserialize(value)
                          for name, value in attributes.items()})


class _Impossible(Exception):
    """If-Match names no version any item can have: the write cannot happen."""


def _write_condition(if_match: Optional[IfMatch]) -> tuple[str, dict[str, dict[str, str]]]:
    """The item exists, its version is a number (or absent: written by another tool)
    and, with If-Match, it is at one of the listed versions (strong comparison)."""
    condition = ("attribute_exists(id) AND (attribute_not_exists(#version) "
                 "OR attribute_type(#version, :number))")
    values: dict[str, dict[str, str]] = {":number": {"S": "N"}}
    if if_match is None or if_match.any:
        return condition, values
    alternatives = []
    for index, (counter, incarnation) in enumerate(if_match.versions()):
        values[f":v{index}"] = {"N": str(counter)}
        if incarnation is None:  # a version written before incarnations (another tool)
            alternatives.append(f"#version = :v{index} AND attribute_not_exists(#incarnation)")
        else:
            values[f":i{index}"] = {"S": incarnation}
            alternatives.append(f"#version = :v{index} AND #incarnation = :i{index}")
    if not alternatives:
        raise _Impossible()
    # DynamoDB refuses redundant parentheses, so only several alternatives get them.
    tags = alternatives[0] if len(alternatives) == 1 else " OR ".join(f"({a})" for a in alternatives)
    return f"{condition} AND ({tags})", values


class Storage:
    """CRUD on the items table; the client and table name come from the caller."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def create(self, item_id: Optional[str], data: Any) -> dict[str, Any]:
        now = _now()
        item = {"id": item_id or str(uuid.uuid4()), "data": data, "created_at": now,
                "updated_at": now, VERSION_ATTRIBUTE: 1,
                INCARNATION_ATTRIBUTE: etags.new_incarnation()}
        try:
            self._client.put_item(
                TableName=self._table,
                Item={name: _serializer.serialize(value) for name, value in item.items()},
                ConditionExpression="attribute_not_exists(id)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            raise ApiError(409, CONFLICT, f"an item with id {item['id']!r} already exists; "
                           "change it with PUT on its own path") from None
        return _item({name: _serializer.serialize(value) for name, value in item.items()})

    def get(self, item_id: str, if_match: Optional[IfMatch] = None) -> dict[str, Any]:
        response = self._client.get_item(TableName=self._table, Key=self._key(item_id),
                                         ConsistentRead=True)
        if "Item" not in response:
            raise not_found()
        item = _item(response["Item"])
        if if_match is not None and not if_match.matches(item.get(VERSION_ATTRIBUTE)):
            raise self._precondition_failed(if_match, item.get(VERSION_ATTRIBUTE))
        return item

    def replace(self, item_id: str, data: Any, if_match: Optional[IfMatch]) -> dict[str, Any]:
        try:
            condition, values = _write_condition(if_match)
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(item_id),
                # if_not_exists: an item written by other tools may lack a version.
                UpdateExpression=("SET #data = :data, updated_at = :now, "
                                  "#version = if_not_exists(#version, :zero) + :one, "
                                  "#incarnation = if_not_exists(#incarnation, :incarnation)"),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#data": "data", **_NAMES},
                ExpressionAttributeValues={
                    ":data": _serializer.serialize(data), ":now": {"S": _now()},
                    ":one": {"N": "1"}, ":zero": {"N": "0"},
                    ":incarnation": {"S": etags.new_incarnation()}, **values},
                ReturnValues="ALL_NEW",
            )
        except (self._client.exceptions.ConditionalCheckFailedException, _Impossible):
            raise self._why_condition_failed(item_id, if_match) from None
        return _item(response["Attributes"])

    def delete(self, item_id: str, if_match: Optional[IfMatch]) -> None:
        try:
            condition, values = _write_condition(if_match)
            names = {name: value for name, value in _NAMES.items() if name in condition}
            self._client.delete_item(TableName=self._table, Key=self._key(item_id),
                                     ConditionExpression=condition,
                                     ExpressionAttributeNames=names,
                                     ExpressionAttributeValues=values)
        except (self._client.exceptions.ConditionalCheckFailedException, _Impossible):
            raise self._why_condition_failed(item_id, if_match) from None

    def list_page(self, limit: int, token: Optional[str]) -> tuple[list[dict], Optional[str]]:
        """Up to `limit` items and the next token; see paging.collect for the bounds."""
        start = tokens.decode(token) if token is not None else None
        items, last_key = paging.collect(self._scan, _item, limit, start)
        return items, (tokens.encode(last_key) if last_key is not None else None)

    def _scan(self, limit: int, start: Optional[str]) -> tuple[list[dict], Optional[str]]:
        kwargs: dict[str, Any] = {"TableName": self._table, "Limit": limit}
        if start is not None:
            kwargs["ExclusiveStartKey"] = self._key(start)
        response = self._client.scan(**kwargs)
        last = response.get("LastEvaluatedKey")
        return response.get("Items", []), (last["id"]["S"] if last else None)

    def _why_condition_failed(self, item_id: str, if_match: Optional[IfMatch]) -> ApiError:
        current = self._client.get_item(TableName=self._table, Key=self._key(item_id),
                                        ConsistentRead=True,
                                        ProjectionExpression="#version, #incarnation",
                                        ExpressionAttributeNames=_NAMES)
        if "Item" not in current:
            return not_found()
        version = _item(current["Item"]).get(VERSION_ATTRIBUTE)
        if VERSION_ATTRIBUTE in current["Item"] and version is None:
            return ApiError(409, CONFLICT, "the item's version attribute is not a number "
                            "(written by another tool); this API cannot change it safely")
        return self._precondition_failed(if_match, version)

    @staticmethod
    def _precondition_failed(if_match: Optional[IfMatch], version: Optional[str]) -> ApiError:
        now = f'is at version "{version}"' if version else "has no version, so none can match"
        if if_match is None:  # the item changed between the write and this read
            return ApiError(412, PRECONDITION_FAILED, f"the item changed meanwhile; it {now}",
                            etags.header(version))
        sent = ", ".join(f'"{tag}"' for tag in if_match.tags) or "(only weak ETags)"
        return ApiError(412, PRECONDITION_FAILED, f"If-Match {sent} does not match: the item "
                        f"{now}", etags.header(version))

    @staticmethod
    def _key(item_id: str) -> dict[str, dict[str, str]]:
        return {"id": {"S": item_id}}
