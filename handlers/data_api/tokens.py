"""Opaque `next` tokens for list pages: the last key, signed so a tampered token is a 400.

The decoded key is checked exactly like a path id (validation.ID_PATTERN): a token
made by hand with an empty key or one over DynamoDB's key limits would otherwise
reach DynamoDB as an ExclusiveStartKey it refuses (a ValidationException, 500).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from data_api.errors import bad_parameter
from data_api.validation import check_id

MAX_TOKEN_LENGTH = 1024  # a valid token is ~400 characters at most; refuse longer input cheaply
_MALFORMED = "next token is malformed or was altered; use the value from the previous page"


class PageTokens:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()[:32]

    def encode(self, item_id: str) -> str:
        payload = json.dumps({"id": item_id}, separators=(",", ":")).encode()
        raw = self._sign(payload).encode() + b"." + payload
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str) -> str:
        if len(token) > MAX_TOKEN_LENGTH:
            raise bad_parameter(_MALFORMED)
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            signature, payload = raw.split(b".", 1)
            if not hmac.compare_digest(signature.decode(), self._sign(payload)):
                raise ValueError("signature")
            item_id = json.loads(payload)["id"]
        except (ValueError, binascii.Error, KeyError, TypeError, RecursionError):
            raise bad_parameter(_MALFORMED) from None
        return check_id(item_id, "the key in the next token", bad_parameter)
