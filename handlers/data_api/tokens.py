"""`next` page tokens: the id of the last item a page returned, which the next Scan
starts after (its ExclusiveStartKey), unsigned and checked exactly like a path id.

Unsigned by design: every reader can already list the whole table, so a token made by
hand can only start a listing after an id of the caller's choosing, within the same
limit and size caps: nothing the caller could not read by following the pages. It
cannot reach another table or collection (it is only an id; the table is the
function's) nor read past the caller's rights (authorization comes first). Checked
like any id, it cannot reach DynamoDB as an ExclusiveStartKey it refuses (an empty key
or one over its key limits is a ValidationException, a 500): a bad token is a 400
naming the rule. DynamoDB accepts a start key whether or not an item has it, so every
token the rule allows is a valid start; the contract describes `next` with this rule.

Tokens are made and read here only, so one of another kind (a query over an index
rather than a scan of the table) can be told apart and refused in this one place.
"""

from __future__ import annotations

from data_api.errors import bad_parameter
from data_api.validation import ID_PATTERN, MAX_ID_LENGTH, check_id

PATTERN = ID_PATTERN
MAX_LENGTH = MAX_ID_LENGTH


def encode(last_id: str) -> str:
    """The token for the page after the one that ended at `last_id`."""
    return last_id


def decode(token: str) -> str:
    """The id to start after; a 400 BAD_REQUEST_PARAMETERS naming the rule otherwise."""
    return check_id(token, "next", bad_parameter)
