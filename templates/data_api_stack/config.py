"""The environment's `sceptre_user_data`, parsed into one typed, frozen object.

Every value is checked when the template renders (`sceptre generate`), so a typo
fails on a laptop with a message naming the key and the value, not half-way
through a CloudFormation deploy.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from data_api_stack import machine_clients
from data_api_stack.collection import DEFAULT_COLLECTIONS, Collection, parse_collections
from data_api_stack.machine_clients import MachineClient
from data_api_stack.parsers import (ConfigError, boolean, choice, fail, integer, matching,
                                  number, optional)

ENVIRONMENT_PATTERN = re.compile(r"^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$")
# The project's part of every physical name (<name_prefix>-<environment>-...): at most
# 24 characters, so the longest name (the Lambda pre-traffic check's, 64 at most) fits.
NAME_PREFIX_PATTERN = re.compile(r"^[a-z](?:[a-z0-9-]{0,22}[a-z0-9])?$")
CODE_KEY_PATTERN = re.compile(r"^[A-Za-z0-9._/-]{1,512}\.zip$")
ORIGIN_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A standard SNS topic in any partition (CloudWatch alarm actions cannot target FIFO).
TOPIC_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$")
USER_POOL_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):[0-9]{12}:userpool/(\1_[0-9A-Za-z]{1,55})$")
ACCOUNT_ID_PATTERN = re.compile(r"^[0-9]{12}$")
AUTH_MODES = ("cognito", "iam", "none")
# The stack's own user pool: MFA "required" (MfaConfiguration ON) or "optional".
MFA_MODES = ("required", "optional")
RUNTIMES = ("python3.14", "python3.13")
ARCHITECTURES = ("arm64", "x86_64")
# The only values CloudWatch Logs accepts for RetentionInDays.
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
                  1096, 1827, 2192, 2557, 2922, 3288, 3653)
# CodeDeploy's predefined Lambda deployment configurations, by SAM's short names;
# the full name is "CodeDeployDefault.Lambda" + short name (either is accepted).
DEPLOY_STRATEGIES = ("Canary10Percent5Minutes", "Canary10Percent10Minutes",
                     "Canary10Percent15Minutes", "Canary10Percent30Minutes",
                     "Linear10PercentEvery1Minute", "Linear10PercentEvery2Minutes",
                     "Linear10PercentEvery3Minutes", "Linear10PercentEvery10Minutes",
                     "AllAtOnce")
DEPLOY_CONFIG_PREFIX = "CodeDeployDefault.Lambda"
# API Gateway REST integrations time out at 29 s; a longer Lambda timeout only
# keeps the function billing after the client already got a 504.
MAX_TIMEOUT_SECONDS = 29
# Lambda's default regional concurrency quota is 1000 and 100 must stay unreserved
# (PutFunctionConcurrency), so no function can reserve more than 900 unless the
# account's quota was raised.
MAX_RESERVED_CONCURRENCY = 900
# AWS WAF rate-based rules: requests per 5-minute window per IP, from 10 up to 2e9
# (RateBasedStatement.Limit in the WAFv2 API reference and cfn-lint's schema).
WAF_RATE_LIMITS = (10, 2_000_000_000)
WAF_WINDOW_SECONDS = 300  # the rate-based rule's evaluation window (AWS's default)


def _origin(key: str, value: Any) -> str:
    if value == "*" or (isinstance(value, str) and ORIGIN_PATTERN.match(value)):
        return value
    raise fail(key, "'*' or one origin like https://app.example.com (no path)", value)


def _deploy_strategy(key: str, value: Any) -> str:
    short = value[len(DEPLOY_CONFIG_PREFIX):] if (
        isinstance(value, str) and value.startswith(DEPLOY_CONFIG_PREFIX)) else value
    if short not in DEPLOY_STRATEGIES:
        raise fail(key, "one of " + ", ".join(DEPLOY_STRATEGIES)
                    + f" (or the same with the {DEPLOY_CONFIG_PREFIX} prefix)", value)
    return short


def _account_ids(key: str, value: Any) -> tuple[str, ...]:
    if (not isinstance(value, (list, tuple)) or not value
            or not all(isinstance(v, str) and ACCOUNT_ID_PATTERN.match(v) for v in value)):
        raise fail(key, "a non-empty list of 12-digit AWS account ids (quoted strings)", value)
    return tuple(dict.fromkeys(value))


@dataclass(frozen=True)
class StackConfig:
    """One environment's choices; field names are the `sceptre_user_data` keys."""

    environment: str
    name_prefix: str
    code_key: str
    runtime: str = "python3.14"
    architecture: str = "arm64"
    memory_mb: int = 256
    timeout_seconds: int = 10
    log_retention_days: int = 14
    read_capacity: int = 5
    write_capacity: int = 5
    retain_data: bool = False
    cors_origin: str = "*"
    throttle_rate_limit: float = 50.0
    throttle_burst_limit: int = 100
    snapstart: bool = False
    alarm_email: Optional[str] = None
    alarm_topic_arn: Optional[str] = None
    api_latency_p90_ms: int = 2500
    api_5xx_rate: float = 0.05
    api_4xx_rate: float = 0.05
    autoscaling: bool = False
    autoscaling_max_read: int = 50
    autoscaling_max_write: int = 50
    autoscaling_target_utilization: int = 70
    deploy_strategy: str = "AllAtOnce"
    # None: the smallest value that serves the throttle (see required_concurrency).
    reserved_concurrency: Optional[int] = None
    waf: bool = False
    waf_rate_limit: int = 2000
    auth: str = "cognito"
    allow_anonymous: bool = False
    cognito_user_pool_arn: Optional[str] = None
    iam_account_ids: tuple[str, ...] = ()
    # None: "required" where retain_data keeps the users, else "optional".
    mfa: Optional[str] = None
    collections: tuple[Collection, ...] = DEFAULT_COLLECTIONS
    machine_clients: tuple[MachineClient, ...] = ()

    def __post_init__(self) -> None:
        if self.retain_data and not (self.alarm_email or self.alarm_topic_arn):
            # Data worth retaining is worth an alarm somebody receives.
            raise ConfigError(
                "sceptre_user_data.alarm_email / alarm_topic_arn: an environment with "
                "retain_data: true needs an alarm subscriber; set alarm_email (an address) "
                "or alarm_topic_arn (an existing SNS topic's ARN), got neither")
        _check_auth(self)
        machine_clients.check(self.machine_clients, self.collections, self.auth)
        for collection in self.collections:
            if self.auth == "none" and collection.access.changed():
                raise fail(f"collections.{collection.name}.access", "absent unless auth is "
                           "cognito or iam (with auth: none anyone may do anything)",
                           collection.access.changed())
            if collection.path == f"/{self.environment}":
                # The local API (`make up`) serves the stage with and without its prefix.
                raise fail(f"collections.{collection.name}.path", "a path other than the "
                            f"stage's name (/{self.environment})", collection.path)
        needed = self.required_concurrency
        if self.reserved_concurrency is None and needed > MAX_RESERVED_CONCURRENCY:
            raise fail("throttle_rate_limit", f"a rate that x api_latency_p90_ms "
                        f"({self.api_latency_p90_ms} ms) fits the {MAX_RESERVED_CONCURRENCY} "
                        f"executions one function may reserve (needs {needed})",
                        self.throttle_rate_limit)
        if self.reserved_concurrency is not None and self.reserved_concurrency < needed:
            raise fail("reserved_concurrency",
                        f">= {needed}, what throttle_rate_limit ({self.throttle_rate_limit:g}/s) "
                        f"x api_latency_p90_ms ({self.api_latency_p90_ms} ms) keeps busy",
                        self.reserved_concurrency)
        stage_window = math.floor(self.throttle_rate_limit * WAF_WINDOW_SECONDS)
        if self.waf and self.waf_rate_limit > stage_window:
            # Above what the whole stage admits in a window, the per-IP rule never fires.
            raise fail("waf_rate_limit", f"<= {stage_window}, the requests throttle_rate_limit "
                        f"({self.throttle_rate_limit:g}/s) admits in {WAF_WINDOW_SECONDS} s",
                        self.waf_rate_limit)
        if self.autoscaling and self.autoscaling_max_read < self.read_capacity:
            raise fail("autoscaling_max_read", f">= read_capacity ({self.read_capacity})",
                        self.autoscaling_max_read)
        if self.autoscaling and self.autoscaling_max_write < self.write_capacity:
            raise fail("autoscaling_max_write", f">= write_capacity ({self.write_capacity})",
                        self.autoscaling_max_write)

    @property
    def function_concurrency(self) -> int:
        """The function's reserved concurrency: configured, or just enough for the throttle."""
        return self.reserved_concurrency or self.required_concurrency

    @property
    def required_concurrency(self) -> int:
        """Executions the stage's throttle keeps busy at the accepted p90 latency.

        Little's law: concurrency = arrival rate x time in the system. The stage admits
        at most throttle_rate_limit requests/s; the latency alarm accepts requests
        taking up to api_latency_p90_ms. A smaller reservation would make Lambda throttle
        (clients get errors) before the stage's 429s or the latency alarm say why.
        """
        return math.ceil(self.throttle_rate_limit * self.api_latency_p90_ms / 1000)

    @property
    def resource_prefix(self) -> str:
        """Every physical name's start: distinct per environment, so dev and prod never
        collide (<name_prefix>-<environment>)."""
        return f"{self.name_prefix}-{self.environment}"

    @property
    def function_name(self) -> str:
        """The Lambda's name; its log group is named after it."""
        return f"{self.resource_prefix}-api"

    @property
    def mfa_required(self) -> bool:
        """The stack's own user pool requires MFA: as configured, else where retain_data
        keeps its users (prod), so a stolen password alone opens no kept account."""
        return self.mfa == "required" if self.mfa else self.retain_data

    @property
    def gradual_deploys(self) -> bool:
        """CodeDeploy shifts traffic (and the pre-traffic hook runs) unless AllAtOnce."""
        return self.deploy_strategy != "AllAtOnce"


def _check_auth(cfg: StackConfig) -> None:
    """Anonymous access must be asked for in so many words; mode-specific keys only
    with their mode, so a key that would silently do nothing is an error."""
    if cfg.auth == "none" and not cfg.allow_anonymous:
        raise fail("allow_anonymous", "true to acknowledge that `auth: none` lets anyone "
                    "on the internet read, overwrite and delete every item", cfg.allow_anonymous)
    if cfg.auth != "none" and cfg.allow_anonymous:
        raise fail("allow_anonymous", f"false or absent unless auth is none (auth is {cfg.auth})",
                    cfg.allow_anonymous)
    if cfg.auth != "cognito" and cfg.cognito_user_pool_arn:
        raise fail("cognito_user_pool_arn", f"absent unless auth is cognito (auth is {cfg.auth})",
                    cfg.cognito_user_pool_arn)
    if cfg.mfa is not None and (cfg.auth != "cognito" or cfg.cognito_user_pool_arn):
        raise fail("mfa", "absent unless auth is cognito with the stack's own pool (auth is "
                    f"{cfg.auth}{', with cognito_user_pool_arn' if cfg.cognito_user_pool_arn else ''})",
                    cfg.mfa)
    if cfg.auth != "iam" and cfg.iam_account_ids:
        raise fail("iam_account_ids", f"absent unless auth is iam (auth is {cfg.auth})",
                    list(cfg.iam_account_ids))


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "environment": matching(ENVIRONMENT_PATTERN, "1-16 lowercase letters, digits or '-', "
                             "starting with a letter"),
    "name_prefix": matching(NAME_PREFIX_PATTERN, "1-24 lowercase letters, digits or '-', "
                             "starting with a letter"),
    "code_key": matching(CODE_KEY_PATTERN, "an S3 key ending in .zip"),
    "runtime": choice(RUNTIMES),
    "architecture": choice(ARCHITECTURES),
    "memory_mb": integer(128, 10240),
    "timeout_seconds": integer(1, MAX_TIMEOUT_SECONDS),
    "log_retention_days": choice(RETENTION_DAYS),
    "read_capacity": integer(1, 40000),
    "write_capacity": integer(1, 40000),
    "retain_data": boolean,
    "cors_origin": _origin,
    "throttle_rate_limit": number(1, 10000),
    "throttle_burst_limit": integer(1, 5000),
    "snapstart": boolean,
    "alarm_email": optional(EMAIL_PATTERN, "an email address"),
    "alarm_topic_arn": optional(TOPIC_ARN_PATTERN, "an SNS topic ARN like "
                                 "arn:aws:sns:<region>:123456789012:team-paging"),
    "api_latency_p90_ms": integer(100, 29000),
    "api_5xx_rate": number(0.001, 1),
    "api_4xx_rate": number(0.001, 1),
    "autoscaling": boolean,
    "autoscaling_max_read": integer(1, 40000),
    "autoscaling_max_write": integer(1, 40000),
    "autoscaling_target_utilization": integer(20, 90),
    "deploy_strategy": _deploy_strategy,
    "reserved_concurrency": integer(1, MAX_RESERVED_CONCURRENCY),
    "waf": boolean,
    "waf_rate_limit": integer(*WAF_RATE_LIMITS),
    "auth": choice(AUTH_MODES),
    "allow_anonymous": boolean,
    "cognito_user_pool_arn": optional(USER_POOL_ARN_PATTERN, "a Cognito user pool ARN "
                                       "(arn:aws:cognito-idp:<region>:<account>:userpool/"
                                       "<region>_<id>)"),
    "iam_account_ids": _account_ids,
    "mfa": choice(MFA_MODES),
    "collections": parse_collections,
    "machine_clients": machine_clients.parse_machine_clients,
}


def parse_config(user_data: Mapping[str, Any] | None) -> StackConfig:
    """Validate `sceptre_user_data` and return the frozen config; raise ConfigError."""
    if not isinstance(user_data, Mapping):
        raise ConfigError(f"sceptre_user_data: expected a mapping, got {user_data!r}")
    unknown = sorted(set(user_data) - set(_PARSERS))
    if unknown:
        raise ConfigError(f"sceptre_user_data: unknown key(s) {', '.join(map(repr, unknown))}; "
                          f"known keys are {', '.join(sorted(_PARSERS))}")
    required = [f.name for f in dataclasses.fields(StackConfig)
                if f.default is dataclasses.MISSING]
    missing = [key for key in required if key not in user_data]
    if missing:
        raise ConfigError(f"sceptre_user_data: missing required key(s) {', '.join(missing)}")
    values = {key: _PARSERS[key](key, value) for key, value in user_data.items()}
    return StackConfig(**values)
