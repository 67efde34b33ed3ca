"""`make smoke URL=<api url> [TOKEN=<access token>]`: the release checks over HTTP.

The same checks the pre-traffic hook runs against a new version (one list,
handlers/deploy_hooks/checks.py), sent to a deployed stage: real AWS after
`sceptre launch prod`, or the local API of `make up`. The only write is one item
under the `smoke-test-` id prefix, created and deleted again. Exit 0 when every
check passed, 1 otherwise, 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
from typing import Optional
from urllib.parse import urlencode, urlsplit

from deploy_hooks.checks import Answer, Request, Transport, run_checks


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


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="", help="the stage URL, e.g. the ApiUrl output")
    parser.add_argument("--token", default=os.environ.get("TOKEN") or None,
                        help="an access token with the write scope (default: $TOKEN)")
    args = parser.parse_args(argv)
    if urlsplit(args.url).scheme not in ("http", "https") or not urlsplit(args.url).netloc:
        print(f"error: URL must be the API's stage URL, like "
              f"https://<id>.execute-api.<region>.amazonaws.com/prod/ (got {args.url!r}); "
              "run `make smoke URL=<url> [TOKEN=<token>]`", file=sys.stderr)
        return 2
    results = run_checks(http_transport(args.url, args.token))
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'}  {result.name}: {result.detail}")
    passed = sum(r.passed for r in results)
    print(f"{passed}/{len(results)} checks passed against {args.url}")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
