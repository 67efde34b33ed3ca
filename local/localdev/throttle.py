"""The stage's throttle, read from the launched template's `MethodSettings`, enforced locally.

API Gateway throttles with a token bucket: the burst is the bucket's size, the rate
refills it per second, and a request that finds it empty is answered with the THROTTLED
gateway response (429) without reaching authorization or the integration. The stage's
limits apply per method ("per-API, per-stage throttling limits are applied at the API
method level for a stage": developer guide, "Throttle requests to your REST APIs"),
a `MethodSettings` entry for `/*` and `*` being every method's default, one for a
resource path (`/` then the path with `~1` for each `/`) and verb that method's own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

ALL_PATHS, ALL_METHODS = "/*", "*"


@dataclass(frozen=True)
class Limit:
    rate: float  # requests per second, steady state
    burst: int  # the bucket's size


@dataclass
class _Bucket:
    limit: Limit
    tokens: float
    updated: float


def _limit(setting: dict[str, Any]) -> Optional[Limit]:
    rate, burst = setting.get("ThrottlingRateLimit"), setting.get("ThrottlingBurstLimit")
    if rate is None and burst is None:
        return None
    return Limit(float(rate if rate is not None else 0), int(burst if burst is not None else 0))


def stage_limits(template: dict[str, Any]) -> dict[tuple[str, str], Limit]:
    """(resource path, HTTP method) -> limit, `("/*", "*")` for the stage's default."""
    found: dict[tuple[str, str], Limit] = {}
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::ApiGateway::Stage":
            continue
        for setting in resource["Properties"].get("MethodSettings") or []:
            limit = _limit(setting)
            if limit is not None:
                raw = str(setting.get("ResourcePath", ALL_PATHS))  # "/~1data~1{id}"
                path = raw if raw == ALL_PATHS else raw[1:].replace("~1", "/")
                found[(path, str(setting.get("HttpMethod", ALL_METHODS)))] = limit
    return found


@dataclass
class Throttle:
    """Token buckets, one per method, created full on the method's first request."""

    limits: dict[tuple[str, str], Limit]
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_template(cls, template: dict[str, Any]) -> "Throttle":
        return cls(stage_limits(template))

    def limit_for(self, path: str, method: str) -> Optional[Limit]:
        for key in ((path, method), (path, ALL_METHODS), (ALL_PATHS, method),
                    (ALL_PATHS, ALL_METHODS)):
            if key in self.limits:
                return self.limits[key]
        return None

    def allow(self, path: str, method: str) -> bool:
        """Take a token from the method's bucket; False if it is empty (a 429)."""
        limit = self.limit_for(path, method)
        if limit is None:
            return True
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get((path, method))
            if bucket is None or bucket.limit != limit:
                bucket = self._buckets[(path, method)] = _Bucket(limit, float(limit.burst), now)
            bucket.tokens = min(float(limit.burst),
                                bucket.tokens + (now - bucket.updated) * limit.rate)
            bucket.updated = now
            if bucket.tokens < 1:
                return False
            bucket.tokens -= 1
            return True
