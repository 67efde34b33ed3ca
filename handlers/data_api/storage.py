"""Storage: the items table through one DynamoDB client, handed in by the caller.

Every write is conditional, so nothing is overwritten, created or deleted by
accident. permissions.DYNAMODB_ACTIONS lists the calls made here; the IAM policy
in the template is built from it, and a test checks the two agree.

A collection with indexes or an expiry attribute (collection_env.Settings) has top-level
mirrors of those `data` fields, written with every write (DynamoDB keys and TTL read
top-level attributes only) and never shown. A value of the wrong type for its mirror
(a number where the index is on strings, an empty string, a string for an expiry) is not
mirrored: the item is simply not in that index, or never expires. An item whose expiry
(epoch seconds) is now or past is gone for this API, before DynamoDB deletes it (which
it does only eventually, typically within days): never returned, a 404 to GET, PUT and
DELETE, and its id free for a new POST.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Optional

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from data_api import etags, paging, records, tokens
from data_api.conditions import NAMES as _NAMES
from data_api.conditions import Impossible, write_condition
from data_api.collection_env import STORED_ATTRIBUTES, Settings
from data_api.mirrors import EXPIRED, LIVE, expired, mirror_update, mirrors_of, now
from data_api.errors import CONFLICT, PRECONDITION_FAILED, ApiError, not_found
from data_api.etags import INCARNATION_ATTRIBUTE, VERSION_ATTRIBUTE, IfMatch
from data_api.permissions import DYNAMODB_ACTIONS  # noqa: F401  (the calls made here)

_serializer = TypeSerializer()
# An idempotency record's table, and its attributes given the item as the API shows it.
Recording = tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]
_deserializer = TypeDeserializer()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _item(attributes: dict) -> dict[str, Any]:
    """The item as the API shows it: its own attributes only, never a mirror (of the
    collection's rules now or of rules it had once) nor another tool's attribute."""
    return etags.present({name: _deserializer.deserialize(value)
                          for name, value in attributes.items() if name in STORED_ATTRIBUTES})


class Storage:
    """CRUD on one collection's table; the client and the collection come from the caller
    (a table name alone: a collection with no indexes and no expiry)."""

    def __init__(self, client: Any, table: "str | Settings") -> None:
        self._client = client
        self._settings = Settings(table) if isinstance(table, str) else table
        self._table = self._settings.table
        self._mirrors = self._settings.mirrors

    def _ttl_terms(self) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """Names and values of the LIVE and EXPIRED conditions (none without expiry)."""
        if self._settings.ttl is None:
            return {}, {}
        return ({"#ttl": self._settings.ttl},
                {":ttl_type": {"S": "N"}, ":ttl_now": {"N": str(now())}})

    def _expired(self, attributes: dict) -> bool:
        """Whether a stored item (DynamoDB's attribute values) is past its expiry."""
        ttl = self._settings.ttl
        value = attributes.get(ttl) if ttl is not None else None
        return isinstance(value, dict) and "N" in value and expired(Decimal(value["N"]))

    def create(self, item_id: Optional[str], data: Any,
               record: Optional[Recording] = None) -> dict[str, Any]:
        """Write a new item. With `record` (a table and item -> the record's attributes,
        data_api.idempotency), the item and its record are written in one transaction,
        each only if absent (a record past its expiry counts as absent); a live record
        raises records.Recorded, and nothing is written."""
        now = _now()
        item = {"id": item_id or str(uuid.uuid4()), "data": data, "created_at": now,
                "updated_at": now, VERSION_ATTRIBUTE: 1,
                INCARNATION_ATTRIBUTE: etags.new_incarnation()}
        names, values = self._ttl_terms()
        stored = {**item, **mirrors_of(self._mirrors, data)}
        put = {"TableName": self._table,
               "Item": {name: _serializer.serialize(value) for name, value in stored.items()},
               # An expired item is gone for the API: its id may be taken again.
               "ConditionExpression": "attribute_not_exists(id)" + (
                   f" OR {EXPIRED}" if names else ""),
               **({"ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
                  if names else {})}
        shown = _item({name: _serializer.serialize(value) for name, value in item.items()})
        try:
            if record is None:
                self._client.put_item(**put)
            else:
                records.write_with_record(self._client, put, record[0], record[1](shown))
        except (self._client.exceptions.ConditionalCheckFailedException, records.ItemExists):
            raise ApiError(409, CONFLICT, f"an item with id {item['id']!r} already exists; "
                           "change it with PUT on its own path") from None
        return shown

    def record(self, table: str, key: str) -> Optional[dict[str, Any]]:
        """A live idempotency record (data_api.records), through this storage's client."""
        return records.read(self._client, table, key)

    def get(self, item_id: str, if_match: Optional[IfMatch] = None) -> dict[str, Any]:
        response = self._client.get_item(TableName=self._table, Key=self._key(item_id),
                                         ConsistentRead=True)
        if "Item" not in response or self._expired(response["Item"]):
            raise not_found()
        item = _item(response["Item"])
        if if_match is not None and not if_match.matches(item.get(VERSION_ATTRIBUTE)):
            raise self._precondition_failed(if_match, item.get(VERSION_ATTRIBUTE))
        return item

    def _condition(self, if_match: Optional[IfMatch]) -> tuple[str, dict, dict]:
        """The write condition (write_condition) of a live item, its names and values."""
        condition, values = write_condition(if_match)
        ttl_names, ttl_values = self._ttl_terms()
        names = {name: value for name, value in _NAMES.items() if name in condition}
        if ttl_names:
            condition = f"{condition} AND {LIVE}"
        return condition, {**names, **ttl_names}, {**values, **ttl_values}

    def replace(self, item_id: str, data: Any, if_match: Optional[IfMatch]) -> dict[str, Any]:
        mirrored = mirror_update(self._mirrors, data)
        try:
            condition, names, values = self._condition(if_match)
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(item_id),
                # if_not_exists: an item written by other tools may lack a version.
                UpdateExpression=(
                    "SET " + ", ".join(["#data = :data", "updated_at = :now",
                                        "#version = if_not_exists(#version, :zero) + :one",
                                        "#incarnation = if_not_exists(#incarnation, "
                                        ":incarnation)", *mirrored.setting])
                    + (" REMOVE " + ", ".join(mirrored.removing) if mirrored.removing else "")),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#data": "data", **_NAMES, **names, **mirrored.names},
                ExpressionAttributeValues={
                    ":data": _serializer.serialize(data), ":now": {"S": _now()},
                    ":one": {"N": "1"}, ":zero": {"N": "0"},
                    ":incarnation": {"S": etags.new_incarnation()}, **values,
                    **mirrored.values},
                ReturnValues="ALL_NEW",
            )
        except (self._client.exceptions.ConditionalCheckFailedException, Impossible):
            raise self._why_condition_failed(item_id, if_match) from None
        return _item(response["Attributes"])

    def delete(self, item_id: str, if_match: Optional[IfMatch]) -> None:
        try:
            condition, names, values = self._condition(if_match)
            self._client.delete_item(TableName=self._table, Key=self._key(item_id),
                                     ConditionExpression=condition,
                                     ExpressionAttributeNames=names,
                                     ExpressionAttributeValues=values)
        except (self._client.exceptions.ConditionalCheckFailedException, Impossible):
            raise self._why_condition_failed(item_id, if_match) from None

    def list_page(self, limit: int, token: Optional[str],
                  query: Optional[Any] = None) -> tuple[list[dict], Optional[str]]:
        """Up to `limit` items and the next token; see paging.collect for the bounds.
        With a query (queries.Query), the items of its index with its value."""
        # A query's tokens name its table too: another collection's query is another query.
        tag = (self._table, *query.tag) if query is not None else None
        start = tokens.decode(token, tag) if token is not None else None
        if query is not None and query.value is None:  # no stored key can equal it
            return [], None
        read = self._scan if query is None else (
            lambda count, after: self._query(query, count, after))
        items, last_key = paging.collect(read, _item, limit, start)
        return items, (tokens.encode(last_key, tag) if last_key is not None else None)

    def _read_kwargs(self, limit: int) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"TableName": self._table, "Limit": limit}
        names, values = self._ttl_terms()
        if names:
            kwargs.update(FilterExpression=LIVE, ExpressionAttributeNames=names,
                          ExpressionAttributeValues=values)
        return kwargs

    def _scan(self, limit: int, start: Optional[str]) -> tuple[list[dict], Optional[str]]:
        kwargs = self._read_kwargs(limit)
        if start is not None:
            kwargs["ExclusiveStartKey"] = self._key(start)
        response = self._client.scan(**kwargs)
        last = response.get("LastEvaluatedKey")
        return response.get("Items", []), (last["id"]["S"] if last else None)

    def _query(self, query: Any, limit: int,
               start: Optional[str]) -> tuple[list[dict], Optional[str]]:
        """One Query call on the index (eventually consistent: GSIs offer nothing else),
        keeping the items whose data holds the value: a mirror left from an earlier
        version of the collection's rules can never answer for data that changed since."""
        kwargs = self._read_kwargs(limit)
        key = {"#key": query.index.attribute, "#data": "data"}
        value = {":key": _serializer.serialize(query.value)}
        matching = "#data.#key = :key"
        kwargs.update(IndexName=query.index.name, KeyConditionExpression="#key = :key",
                      FilterExpression=(f"{kwargs['FilterExpression']} AND {matching}"
                                        if "FilterExpression" in kwargs else matching),
                      ExpressionAttributeNames={**kwargs.get("ExpressionAttributeNames", {}),
                                                **key},
                      ExpressionAttributeValues={**kwargs.get("ExpressionAttributeValues", {}),
                                                 **value})
        if start is not None:
            kwargs["ExclusiveStartKey"] = {**self._key(start),
                                           query.index.attribute: value[":key"]}
        response = self._client.query(**kwargs)
        last = response.get("LastEvaluatedKey")
        return response.get("Items", []), (last["id"]["S"] if last else None)

    def _why_condition_failed(self, item_id: str, if_match: Optional[IfMatch]) -> ApiError:
        ttl = {"#ttl": self._settings.ttl} if self._settings.ttl is not None else {}
        current = self._client.get_item(TableName=self._table, Key=self._key(item_id),
                                        ConsistentRead=True,
                                        ProjectionExpression=", ".join([*_NAMES, *ttl]),
                                        ExpressionAttributeNames={**_NAMES, **ttl})
        if "Item" not in current or self._expired(current["Item"]):
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
