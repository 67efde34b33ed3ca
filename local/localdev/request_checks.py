"""API Gateway's request validation, read from the launched template and applied locally.

What API Gateway does (developer guide, "Request validation for REST APIs in API
Gateway"): a method with a RequestValidatorId checks, if the validator says so, that its
required request parameters are present and not blank (existence only, never type or
format), then that the body matches the method's model for the request's Content-Type;
with no model for that content type (and no `$default`) the body is not validated. A
failure is the BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY gateway response, rendered from
the template like every other gateway answer, and the function is not invoked.

Bodies are checked with a JSON Schema draft-4 validator (Python's jsonschema), numbers read
as Decimal so bounds compare exactly as API Gateway's validator does; the detail text
(`$context.error.validationErrorString`) is this validator's wording, not AWS's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any, Optional

from jsonschema import Draft4Validator, ValidationError
from jsonschema.validators import extend
from werkzeug.wrappers import Request

from data_api.data_schema import EXACT, ecma_pattern, json_equal

# Decimal numbers: an integral Decimal is a draft-4 integer.
_TYPES = Draft4Validator.TYPE_CHECKER.redefine(
    "integer", lambda checker, value: Draft4Validator.TYPE_CHECKER.is_type(value, "integer")
    or (isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """Draft 4's `pattern` in its ECMA 262 reading: `$` ends the text (data_schema)."""
    if validator.is_type(instance, "string") and not re.search(ecma_pattern(pattern),
                                                                instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _enum(validator: Any, enums: Any, instance: Any, schema: Any) -> Any:
    """JSON equality: `true` is never 1, also inside arrays and objects (jsonschema 3.2
    compares those with Python's ==)."""
    if not any(json_equal(instance, option) for option in enums):
        yield ValidationError(f"{instance!r} is not one of {enums!r}")


Validator = extend(Draft4Validator, validators={"pattern": _pattern, "enum": _enum},
                   type_checker=_TYPES)


def validator_for(schema: Any) -> Any:
    """A draft-4 validator reading the schema as API Gateway reads a model's JSON text:
    numbers as the decimals they spell (a bound of 9.999999999999998e+125 is that
    decimal, not the nearest double), like the instances it checks."""
    text = schema if isinstance(schema, str) else json.dumps(schema)
    return Validator(json.loads(text, parse_float=Decimal))
DEFAULT_MODEL = "$default"
ABSENT_CONTENT_TYPE = "application/json"
_LOCATIONS = {"path": "path", "querystring": "query", "header": "header"}


@dataclass(frozen=True)
class Rejection:
    response_type: str  # BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY
    message: str  # $context.error.message
    detail: str = ""  # $context.error.validationErrorString


@dataclass
class MethodChecks:
    required: list[tuple[str, str]] = field(default_factory=list)  # (location, name)
    validators: dict[str, Any] = field(default_factory=dict)  # content type -> validator
    check_parameters: bool = False
    check_body: bool = False


def _ref(value: Any) -> Optional[str]:
    return value.get("Ref") if isinstance(value, dict) else None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def methods_checks(template: dict[str, Any],
                   paths: dict[str, str]) -> dict[tuple[str, str], MethodChecks]:
    """(resource path, HTTP method) -> its checks; `paths` maps resource ids to paths."""
    resources = template["Resources"]
    found: dict[tuple[str, str], MethodChecks] = {}
    for res in resources.values():
        props = res.get("Properties", {})
        validator_id = _ref(props.get("RequestValidatorId"))
        resource_id = _ref(props.get("ResourceId"))
        if res["Type"] != "AWS::ApiGateway::Method" or validator_id is None or not resource_id:
            continue
        validator = resources[validator_id]["Properties"]
        checks = MethodChecks(check_parameters=bool(validator.get("ValidateRequestParameters")),
                              check_body=bool(validator.get("ValidateRequestBody")))
        for key, required in sorted((props.get("RequestParameters") or {}).items()):
            prefix, location, name = (key.split(".", 3) + ["", ""])[1:4]
            if required and prefix == "request" and location in _LOCATIONS:
                checks.required.append((_LOCATIONS[location], name))
        for content_type, model in (props.get("RequestModels") or {}).items():
            schema = resources[_ref(model) or ""]["Properties"]["Schema"]
            checks.validators[content_type.lower()] = validator_for(schema)
        found[(paths[resource_id], props["HttpMethod"])] = checks
    return found


def _missing(checks: MethodChecks, request: Request, params: dict[str, str]) -> list[str]:
    sources: dict[str, Any] = {"path": params, "query": request.args,
                               "header": request.headers}
    return [name for location, name in checks.required
            if not str(sources[location].get(name) or "").strip()]


def _body_problem(validator: Any, raw: bytes) -> Optional[str]:
    try:
        instance = json.loads(raw.decode("utf-8") if raw.strip() else "{}",
                              parse_float=Decimal, parse_int=Decimal,
                              parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return f"[the body is not JSON: {error}]"
    except ArithmeticError:  # decimal.InvalidOperation: an exponent no decimal can hold
        return "[the body has a number out of range]"
    try:
        # Bounds and multipleOf computed exactly, as the function computes them.
        with localcontext(EXACT):
            errors = sorted(validator.iter_errors(instance),
                            key=lambda e: list(e.absolute_path))
    except (ArithmeticError, RecursionError):
        return "[the body has a number out of range or is nested too deeply]"
    if not errors:
        return None
    return "[" + ", ".join(f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
                           for e in errors[:5]) + "]"


def check(checks: Optional[MethodChecks], request: Request,
          params: dict[str, str]) -> Optional[Rejection]:
    """None if API Gateway would pass the request on, else what it answers instead."""
    if checks is None:
        return None
    if checks.check_parameters:
        missing = _missing(checks, request, params)
        if missing:
            return Rejection("BAD_REQUEST_PARAMETERS",
                             f"Missing required request parameters: [{', '.join(missing)}]")
    if checks.check_body and checks.validators:
        # No Content-Type: "API Gateway defaults to application/json" (developer guide,
        # "Method request behavior for payloads without mapping templates").
        content_type = (request.mimetype or ABSENT_CONTENT_TYPE).lower()
        validator = (checks.validators.get(content_type)
                     or checks.validators.get(DEFAULT_MODEL))
        problem = _body_problem(validator, request.get_data()) if validator else None
        if problem:
            return Rejection("BAD_REQUEST_BODY", "Invalid request body", problem)
    return None
