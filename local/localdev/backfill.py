"""Bring existing items under their collection's indexes and expiry (`make backfill ENV=<env>`).

The function writes an item's top-level mirrors of its indexed and expiry fields with
every write (data_api.mirrors). Items written before an index or `ttl_attribute` was
added have none: they are in no query and never expire until they are written again.
This reads every item of each collection with indexes or an expiry and writes the mirrors
its `data` calls for (removing one whose field is gone), each update conditional on the
item not having changed since it was read; an item that changed meanwhile was written by
the function, mirrors included, and is left alone. Run it after the `sceptre launch` that
added the rules; running it again changes nothing.

    make backfill ENV=prod                                        # the deployed tables
    make backfill ENV=dev ENDPOINT=http://127.0.0.1:<port>        # make up's local AWS
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from boto3.dynamodb.types import TypeDeserializer

from data_api.collection_env import Settings
from data_api.etags import VERSION_ATTRIBUTE
from data_api.mirrors import mirror_update, mirrors_of

_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class Outcome:
    table: str
    read: int
    written: int
    changed_meanwhile: int


def _update(client: Any, table: str, raw: dict, data: Any, mirrors: dict[str, str]) -> bool:
    """Write the mirrors `data` calls for, remove the others (the function's own update
    clauses, data_api.mirrors); False if the item changed since it was read."""
    mirrored = mirror_update(mirrors, data)
    version = raw.get(VERSION_ATTRIBUTE)
    condition = "#version = :version" if version is not None else \
        "attribute_exists(id) AND attribute_not_exists(#version) AND #data = :data"
    values = {**mirrored.values,
              **({":version": version} if version is not None else {":data": raw["data"]})}
    try:
        client.update_item(
            TableName=table, Key={"id": raw["id"]},
            UpdateExpression=" ".join(filter(None, [
                "SET " + ", ".join(mirrored.setting) if mirrored.setting else "",
                "REMOVE " + ", ".join(mirrored.removing) if mirrored.removing else ""])),
            ConditionExpression=condition,
            ExpressionAttributeNames={**mirrored.names, "#version": VERSION_ATTRIBUTE,
                                      **({} if version is not None else {"#data": "data"})},
            ExpressionAttributeValues=values)
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def backfill(client: Any, settings: Settings) -> Outcome:
    """Every item of the collection's table, read once, its mirrors made right."""
    read = written = changed = 0
    for page in client.get_paginator("scan").paginate(TableName=settings.table,
                                                      ConsistentRead=True):
        for raw in page.get("Items", []):
            read += 1
            if "data" not in raw:  # not an item of this API's
                continue
            data = _deserializer.deserialize(raw["data"])
            wanted = mirrors_of(settings.mirrors, data)
            current = {name: _deserializer.deserialize(raw[name])
                       for name in settings.mirrors if name in raw}
            if current == wanted:
                continue
            if _update(client, settings.table, raw, data, settings.mirrors):
                written += 1
            else:
                changed += 1
    return Outcome(settings.table, read, written, changed)


def collections(project: Path, env: str) -> tuple[str, list[tuple[str, Settings]]]:
    """The environment's region and its collections with indexes or an expiry, as the
    function serves them (data_api_stack.function writes the same into COLLECTIONS)."""
    from data_api_stack.openapi_cli import load_environment

    environment = load_environment(project, env)
    cfg = environment.config
    return environment.region, [
        (c.path, Settings(c.table_name(cfg.resource_prefix), c.schema, c.indexes, c.ttl_attribute))
        for c in cfg.collections if c.indexes or c.ttl_attribute is not None]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, help="the environment (config/<env>/)")
    parser.add_argument("--project", default=".", help="the Sceptre project folder")
    parser.add_argument("--endpoint-url", default=None,
                        help="a DynamoDB endpoint other than AWS's (make up's local AWS)")
    args = parser.parse_args(argv)
    import boto3

    from data_api_stack import project
    from data_api_stack.config import ConfigError

    try:
        project.check_environment(Path(args.project), args.env)
        region, ruled = collections(Path(args.project), args.env)
    except (ConfigError, project.ProjectError) as error:
        where = "" if isinstance(error, project.ProjectError) else f"config/{args.env}/: "
        print(f"error: {where}{error}", file=sys.stderr)
        return 2
    if not ruled:
        print(f"{args.env}: no collection has indexes or an expiry; nothing to do")
        return 0
    client = boto3.client("dynamodb", region_name=region, endpoint_url=args.endpoint_url)
    for path, settings in ruled:
        outcome = backfill(client, settings)
        print(f"{path} ({outcome.table}): {outcome.read} items read, {outcome.written} "
              f"brought under its rules, {outcome.changed_meanwhile} changed meanwhile "
              "(written by the API, so already right)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
