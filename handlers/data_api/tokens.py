"""`next` page tokens: where the next page starts, unsigned, checked like a path id.

A list's token is the id of the last item a page returned, which the next Scan starts
after (its ExclusiveStartKey). A query's token (GET <path>?<attribute>=<value>, over a
global secondary index) is `.<tag>.<id>`: the tag names the table, index and value it
was made for, so a token from one query is refused by another, and by the list (an id never
starts with '.'); the start key is the id and the query's own value.

Unsigned by design: every reader can already list the whole table, so a token made by
hand can only start a listing after an id of the caller's choosing, within the same
limit and size caps: nothing the caller could not read by following the pages. It
cannot reach another table or collection (it is only an id; the table is the
function's) nor read past the caller's rights (authorization comes first). Checked
like any id, it cannot reach DynamoDB as an ExclusiveStartKey it refuses (an empty key
or one over its key limits is a ValidationException, a 500): a bad token is a 400
naming the rule. DynamoDB accepts a start key whether or not an item has it, so every
token the rule allows is a valid start; the contract describes `next` with this rule.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Optional

from data_api.errors import bad_parameter
from data_api.validation import ID_PATTERN, MAX_ID_LENGTH, check_id

QUERY_MARK = "."
TAG_LENGTH = 12
# A list's token: an id.
PATTERN = ID_PATTERN
MAX_LENGTH = MAX_ID_LENGTH
# A list's or a query's token (a query's: '.', 12 hex digits, '.', an id).
ANY_PATTERN = "^(?:\\.[0-9a-f]{%d}\\.)?%s" % (TAG_LENGTH, ID_PATTERN.removeprefix("^"))
ANY_MAX_LENGTH = MAX_ID_LENGTH + TAG_LENGTH + 2
_ANY = re.compile(ANY_PATTERN)


def query_tag(*query: Any) -> str:
    """What a query's tokens carry of it (its table, index and value), hashed."""
    text = json.dumps([str(part) for part in query], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:TAG_LENGTH]


def encode(last_id: str, query: Optional[tuple[Any, ...]] = None) -> str:
    """The token for the page after the one that ended at `last_id`, of the list or of
    the query (its table, index name and value)."""
    if query is None:
        return last_id
    return f"{QUERY_MARK}{query_tag(*query)}{QUERY_MARK}{last_id}"


def decode(token: str, query: Optional[tuple[Any, ...]] = None) -> str:
    """The id to start after; a 400 BAD_REQUEST_PARAMETERS naming the rule otherwise."""
    if not (token.startswith(QUERY_MARK) and _ANY.fullmatch(token)):
        start = check_id(token, "next", bad_parameter)  # 400 naming the rule
        if query is not None:
            raise bad_parameter("next is a token of the list, not of this query: follow the "
                                "query's own next, or start it again without next")
        return start
    tag, _, last_id = token[1:].partition(QUERY_MARK)
    if query is None:
        raise bad_parameter("next is a token of a query, not of the list: pass it with the "
                            "query that returned it, or list again without next")
    if tag != query_tag(*query):
        raise bad_parameter("next is a token of another query: pass it with the query "
                            "that returned it, or start again without next")
    return check_id(last_id, "next", bad_parameter)
