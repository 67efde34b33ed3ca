"""`make smoke URL=<api url> [TOKEN=<access token>] [ENV=<env>]`: the release checks over HTTP.

The same checks the pre-traffic hook runs against a new version (one list,
handlers/deploy_hooks/checks.py), sent to a deployed stage: real AWS after
`sceptre launch prod`, or the local API of `make up`. They run on each collection:
with `--env <env>`, every collection config/<env>/ declares (read offline
through Sceptre, as `sceptre generate` reads it); with `--path /<path>` (repeatable),
those paths too; with neither, the default collection (/data). The only write is one
item per collection under the `smoke-test-` id prefix, created and deleted again.
Exit 0 when every check passed, 1 otherwise, 2 for a bad command line or environment.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional, Sequence
from urllib.parse import urlencode, urlsplit

from data_api import routes
from deploy_hooks.checks import Answer, Request, Transport, run_checks


class SmokeError(RuntimeError):
    """A reason the checks cannot run, said in one line."""


def http_transport(base_url: str, token: Optional[str] = None,
                   timeout: float = 30.0) -> Transport:
    """Send each check's request to `base_url` (the stage URL) with urllib."""
    base = base_url.rstrip("/")

    def send(request: Request) -> Answer:
        url = base + request.path + (f"?{urlencode(request.query)}" if request.query else "")
        headers = dict(request.headers)
        if token:  # API Gateway's Cognito authorizer reads the raw token from Authorization
            headers["Authorization"] = token
        data = request.body.encode() if request.body is not None else None
        outgoing = urllib.request.Request(url, data=data, method=request.method,
                                          headers=headers)
        try:
            with urllib.request.urlopen(outgoing, timeout=timeout) as reply:
                return Answer(reply.status, dict(reply.headers.items()),
                              reply.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:  # a 4xx/5xx is an answer, not a failure
            return Answer(error.code, dict(error.headers.items()),
                          error.read().decode("utf-8", "replace"))
    return send


@functools.lru_cache(maxsize=4)
def _collections(project: Path, env: str) -> tuple[Any, ...]:
    """The collections config/<env>/ declares, read offline through Sceptre."""
    from data_api_stack import project as project_stacks
    from data_api_stack.config import ConfigError
    from data_api_stack.openapi_cli import load_environment

    try:
        project_stacks.check_environment(project, env)
        return load_environment(project, env).config.collections
    except ConfigError as error:
        raise SmokeError(f"config/{env}/: {error}") from None
    except project_stacks.ProjectError as error:
        raise SmokeError(str(error)) from None


def environment_paths(project: Path, env: str) -> list[str]:
    """The collection paths config/<env>/ declares."""
    return [c.path for c in _collections(project, env)]


def environment_examples(project: Path, env: Optional[str]) -> dict[str, Any]:
    """The data the checks create in each collection whose schema constrains it."""
    return {c.path: c.example for c in (_collections(project, env) if env else ())
            if c.example is not None}


def collection_paths(project: Path, env: Optional[str], extra: Sequence[str]) -> list[str]:
    """The environment's collection paths, then `extra`, each once; /data if neither."""
    for path in extra:
        if not path.startswith("/") or path.endswith("/") or "?" in path:
            raise SmokeError(f"--path must be a collection path like /orders, got {path!r}")
    paths = [*(environment_paths(project, env) if env else []), *extra]
    return list(dict.fromkeys(paths)) or [routes.COLLECTION]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="", help="the stage URL, e.g. the ApiUrl output")
    parser.add_argument("--token", default=os.environ.get("TOKEN") or None,
                        help="an access token with the write scope (default: $TOKEN)")
    parser.add_argument("--env", default=None,
                        help="check every collection of this environment (config/<env>/)")
    parser.add_argument("--path", action="append", default=[], dest="paths",
                        help="check this collection path too (repeatable); default: /data "
                             "when neither --env nor --path is given")
    parser.add_argument("--project", default=".", help="the Sceptre project folder (--env)")
    args = parser.parse_args(argv)
    if urlsplit(args.url).scheme not in ("http", "https") or not urlsplit(args.url).netloc:
        print(f"error: URL must be the API's stage URL, like "
              f"https://<id>.execute-api.<region>.amazonaws.com/prod/ (got {args.url!r}); "
              "run `make smoke URL=<url> [TOKEN=<token>] [ENV=<env>]`", file=sys.stderr)
        return 2
    try:
        paths = collection_paths(Path(args.project), args.env or None, args.paths)
    except SmokeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    results = run_checks(http_transport(args.url, args.token), collections=paths,
                         examples=environment_examples(Path(args.project), args.env or None))
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'}  {result.name}: {result.detail}")
    passed = sum(r.passed for r in results)
    print(f"{passed}/{len(results)} checks passed against {args.url} "
          f"({', '.join(paths)})")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
