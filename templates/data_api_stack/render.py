"""A template's JSON, exactly as troposphere's `to_json` writes it, in one pass.

troposphere's `to_dict` re-encodes the finished dict of every nested object
(`encode_to_dict(obj.to_dict())`), so each level of a resource is walked once per
level above it; on a many-collection stack that was most of a render. Here the json
module's C encoder walks the objects once and asks `plain` only for the objects it
cannot encode itself, which gives the same text: `tests/test_render.py` compares the
two on every shipped environment and variant. No library renders troposphere faster.
"""

from __future__ import annotations

import json
from typing import Any

from troposphere import AWSHelperFn, BaseAWSObject, Template

_BASE_TO_DICT = BaseAWSObject.to_dict
_HELPER_TO_DICT = AWSHelperFn.to_dict


def plain(obj: Any) -> Any:
    """What troposphere's encode_to_dict makes of `obj`, one level deep."""
    to_dict = getattr(type(obj), "to_dict", None)
    if to_dict is _BASE_TO_DICT:
        if obj.do_validation:  # as BaseAWSObject.to_dict validates
            obj._validate_props()
            obj.validate()
        if obj.properties:
            return obj.resource
        if hasattr(obj, "resource_type"):
            return {k: v for k, v in obj.resource.items() if k != "Properties"}
        return {}
    if to_dict is _HELPER_TO_DICT:
        return obj.data
    if to_dict is not None:  # a class with its own to_dict (Tags, Parameter, ...)
        return obj.to_dict()
    if hasattr(obj, "JSONrepr"):  # awacs policy documents
        return obj.JSONrepr()
    raise TypeError(f"cannot render {type(obj).__name__} as JSON")


def dumps(value: Any, **options: Any) -> str:
    """json.dumps of troposphere objects (sorted keys), as encode_to_dict would give."""
    return json.dumps(value, default=plain, sort_keys=True, **options)


def to_json(template: Template) -> str:
    """`template.to_json(indent=None, separators=(",", ":"))`, the compact body Sceptre
    uploads, rendered in one pass."""
    return dumps(_sections(template), separators=(",", ":"))


def _sections(template: Template) -> dict[str, Any]:
    """Template.to_dict's top level, its values still objects."""
    sections = {
        "Description": template.description, "Metadata": template.metadata,
        "Conditions": template.conditions, "Mappings": template.mappings,
        "Outputs": template.outputs, "Parameters": template.parameters,
        "AWSTemplateFormatVersion": template.version, "Transform": template.transform,
        "Rules": template.rules, "Globals": template.globals,
    }
    return {**{k: v for k, v in sections.items() if v}, "Resources": template.resources}
