"""A real browser (headless Chromium) calls the local API from another origin.

Proves what header assertions cannot: the preflight, exposed headers and gateway
error responses satisfy an actual CORS implementation, and a configured origin
keeps other sites out. `.ci/run` installs Debian's chromium; elsewhere this skips.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

import data_api.handler as handler_module
from data_api.storage import Storage
from data_api_stack import build_template, ids, parse_config
from localdev.apiserver import LocalApi, serve
from localdev.authorizer import CognitoAuthorizer
from tests import auth_context
from tests.helpers import PROJECT

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")]

PAGE = """<!doctype html><html><body><pre id="out">running</pre><script>
const api = "%(api)s", out = [], auth = {"Authorization": "Bearer %(writer)s"};
async function run() {
  try {
    let r = await fetch(api + "/data");
    out.push("NOAUTH " + r.status + " " + (await r.json()).error.code);
    r = await fetch(api + "/data", {method: "POST", headers: {"Content-Type": "application/json",
      "Authorization": "Bearer %(reader)s"}, body: JSON.stringify({id: "b", data: 1})});
    out.push("READER " + r.status + " " + (await r.json()).error.code);
    r = await fetch(api + "/data", {method: "POST",
      headers: {...auth, "Content-Type": "application/json"}, body: JSON.stringify({id: "b", data: 1})});
    const first = r.headers.get("ETag");
    out.push("POST " + r.status + " etag=" + /^"1-[0-9a-f]{16}"$/.test(first) + " loc=" + r.headers.get("Location"));
    r = await fetch(api + "/data/b", {method: "PUT", headers: {...auth, "Content-Type": "application/json",
      "If-Match": first}, body: JSON.stringify({data: 2})});
    out.push("PUT " + r.status + " etag=" + /^"2-[0-9a-f]{16}"$/.test(r.headers.get("ETag")));
    r = await fetch(api + "/data/b", {method: "PUT", headers: {...auth, "Content-Type": "application/json",
      "If-Match": first}, body: JSON.stringify({data: 3})});
    out.push("STALE " + r.status + " " + (await r.json()).error.code);
    r = await fetch(api + "/no/route");  // no path, no authorizer: the gateway 404
    out.push("GW404 " + r.status + " " + (await r.json()).error.code);
    r = await fetch(api + "/data/b", {method: "DELETE", headers: auth});
    out.push("DELETE " + r.status);
  } catch (e) { out.push("BLOCKED " + e.name); }
  document.getElementById("out").textContent = out.join("|");
}
run();
</script></body></html>"""


def _serve_page(root: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def _browser_results(origin: str, tmp_path: Path, dynamodb, monkeypatch) -> list[str]:
    monkeypatch.setenv("COLLECTIONS", '{"/data": "items"}')
    monkeypatch.setenv("CORS_ORIGIN", origin)
    for name, value in auth_context.function_env().items():  # restored after the test
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(handler_module, "_client", dynamodb)
    template = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip",
         "cors_origin": origin})).to_json())
    pool = auth_context.TestPool()  # the template's Cognito authorizer, with a test key
    keys = pool.serve_jwks()
    authorizers = {ids.AUTHORIZER: CognitoAuthorizer(auth_context.ISSUER, keys.__enter__())}
    api = serve(LocalApi(template, {"COLLECTIONS": '{"/data": "items"}', "CORS_ORIGIN": origin,
                                    **auth_context.function_env()},
                         log=lambda _: None, authorizers=authorizers), "127.0.0.1", 0)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    tokens = {role: pool.token(auth_context.user_payload(f"b-{role}", [auth_context.GROUPS[role]]))
              for role in ("reader", "writer")}
    (tmp_path / "index.html").write_text(PAGE % {
        "api": f"http://127.0.0.1:{api.server_port}/dev", **tokens})
    pages = _serve_page(tmp_path)
    try:
        page = next(pages)
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=15000", "--dump-dom", f"{page}/index.html"],
            capture_output=True, text=True, timeout=120).stdout
    finally:
        pages.close()
        api.shutdown()
        keys.__exit__(None, None, None)
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return html.unescape(found.group(1)).split("|")


def test_browser_does_crud_across_origins_and_reads_errors(tmp_path, dynamodb, monkeypatch):
    results = _browser_results("*", tmp_path, dynamodb, monkeypatch)
    assert results == ["NOAUTH 401 UNAUTHORIZED", "READER 403 ACCESS_DENIED",
                       "POST 201 etag=true loc=/dev/data/b", "PUT 200 etag=true",
                       "STALE 412 PRECONDITION_FAILED", "GW404 404 NOT_FOUND", "DELETE 204"]


def test_a_configured_origin_keeps_other_sites_out(tmp_path, dynamodb, monkeypatch):
    results = _browser_results("https://app.example.com", tmp_path, dynamodb, monkeypatch)
    assert results == ["BLOCKED TypeError"]
