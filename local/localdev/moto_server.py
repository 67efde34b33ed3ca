"""Run moto's server (the embedded local AWS) with our compatibility shims.

Runs under .venv-localaws's Python (moto's API Gateway needs jsonschema 4, which
sceptre 4.7's environment cannot have), so it imports nothing from this project.
The shims patch moto in this process only: the templates stay what AWS gets and
what `sceptre generate` prints.

    .venv-localaws/bin/python local/localdev/moto_server.py --host 127.0.0.1 --port 5000
"""

from __future__ import annotations

import argparse
from typing import Any


def shim_mock_integrations() -> None:
    """moto's CloudFormation reads Integration.IntegrationHttpMethod and .Uri
    unconditionally; a MOCK integration (our CORS preflight) has neither, so the
    server raised KeyError and left the stack stuck in CREATE_IN_PROGRESS.
    Give moto explicit None for the two absent keys."""
    from moto.apigateway.models import Method

    original = Method.create_from_cloudformation_json.__func__

    def create(cls: Any, resource_name: str, cloudformation_json: dict, *args: Any,
               **kwargs: Any) -> Any:
        integration = dict(cloudformation_json["Properties"].get("Integration") or {})
        integration.setdefault("IntegrationHttpMethod", None)
        integration.setdefault("Uri", None)
        patched = {**cloudformation_json, "Properties": {
            **cloudformation_json["Properties"], "Integration": integration}}
        return original(cls, resource_name, patched, *args, **kwargs)

    Method.create_from_cloudformation_json = classmethod(create)


SHIMS = (shim_mock_integrations,)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    for shim in SHIMS:
        shim()
    from moto.server import main as moto_main

    moto_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
