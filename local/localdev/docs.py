"""Local-only conveniences: the OpenAPI document and a Swagger UI page to read it.

`GET /openapi.json` and `GET /docs` exist only on the local API (the deployed API has no
such paths; `make openapi ENV=<env>` writes the deployed environment's document). Swagger
UI is the static build inside the pinned `swagger-ui-py` package, rendered through that
package's own page template: nothing is fetched from a CDN.
"""

from __future__ import annotations

import copy
import json
import mimetypes
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Optional

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Request, Response

OPENAPI_PATH = "/openapi.json"
DOCS_PATH = "/docs"
STATIC_PREFIX = DOCS_PATH + "/static/"
_PACKAGE = Path(find_spec("swagger_ui").origin or "").parent  # type: ignore[union-attr]
STATIC_DIR = _PACKAGE / "static"
_PAGE = Environment(loader=FileSystemLoader(_PACKAGE / "templates"),
                    autoescape=select_autoescape()).get_template("doc.html")


class Docs:
    """Serves one API's document (its server set to the URL it is read from) and UI."""

    def __init__(self, document: dict[str, Any], stage: str) -> None:
        self.document = document
        self.stage = stage
        self.assets = {path.name for path in STATIC_DIR.iterdir() if path.is_file()}

    def answer(self, request: Request) -> Optional[Response]:
        """The response for a docs path, or None for any other request."""
        path = request.path
        if request.method != "GET" or not (path in (OPENAPI_PATH, DOCS_PATH)
                                           or path.startswith(STATIC_PREFIX)):
            return None
        if path == OPENAPI_PATH:
            document = copy.deepcopy(self.document)
            document["servers"] = [{"url": request.host_url + self.stage,
                                    "description": "this local API"}]
            return Response(json.dumps(document, indent=2), mimetype="application/json")
        if path == DOCS_PATH:
            page = _PAGE.render(title=self.document["info"]["title"], url_prefix=DOCS_PATH,
                                parameters={"url": json.dumps(OPENAPI_PATH),
                                            "dom_id": json.dumps("#swagger-ui"),
                                            "deepLinking": "true"})
            return Response(page, mimetype="text/html")
        name = path[len(STATIC_PREFIX):]
        if name not in self.assets:
            return Response("not found", status=404, mimetype="text/plain")
        return Response((STATIC_DIR / name).read_bytes(),
                        mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
