"""The DynamoDB client's timeouts and retries, fitted inside the function's timeout.

botocore's defaults (60 s connect and read timeouts, legacy retries) outlast a 10 s
function: a stalled DynamoDB call would end as a Lambda timeout (API Gateway 502, no
JSON, no log line). Here every attempt, backoff included, ends before the function's
timeout minus ANSWER_SECONDS, so the handler still answers with JSON and logs.
The template sets TIMEOUT_ENV to the function's configured timeout.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

TIMEOUT_ENV = "FUNCTION_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 10.0  # the stack's default timeout_seconds
ANSWER_SECONDS = 1.0  # kept free to build the error answer and log it
CONNECT_TIMEOUT_SECONDS = 1.0
# A 1 MB Scan takes well under a second on DynamoDB; 3 s also covers the local AWS
# (moto) on a busy machine, where a shorter timeout would turn slowness into 500s.
MIN_READ_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Budget:
    connect_timeout: float
    read_timeout: float
    total_max_attempts: int

    def worst_case_seconds(self) -> float:
        """Every attempt timing out, with standard mode's largest backoffs (up to
        2**(n-1) s before retry n: botocore.retries.standard.ExponentialBackoff)."""
        backoff = sum(2 ** n for n in range(self.total_max_attempts - 1))
        return self.total_max_attempts * (self.connect_timeout + self.read_timeout) + backoff


def budget(function_timeout: float) -> Budget:
    """The most attempts (3, 2, then 1) that still leave each MIN_READ_TIMEOUT_SECONDS.

    ANSWER_SECONDS (or a fifth of a short timeout) stays free; the connect timeout is
    at most CONNECT_TIMEOUT_SECONDS and at most half an attempt.
    """
    available = function_timeout - min(ANSWER_SECONDS, function_timeout / 5)
    for attempts in (3, 2, 1):
        per_attempt = (available - sum(2 ** n for n in range(attempts - 1))) / attempts
        connect = min(CONNECT_TIMEOUT_SECONDS, per_attempt / 2)
        read = per_attempt - connect
        if read >= MIN_READ_TIMEOUT_SECONDS or attempts == 1:
            return Budget(math.floor(connect * 100) / 100, math.floor(read * 100) / 100,
                          attempts)
    raise AssertionError("unreachable: attempts == 1 always returns")


def function_timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS))
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS


def dynamodb_client() -> Any:
    import boto3  # deferred: the template imports TIMEOUT_ENV from here without boto3
    from botocore.config import Config

    fitted = budget(function_timeout())
    return boto3.client("dynamodb", config=Config(
        connect_timeout=fitted.connect_timeout, read_timeout=fitted.read_timeout,
        retries={"mode": "standard", "total_max_attempts": fitted.total_max_attempts}))
