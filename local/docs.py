"""`make run` extras that API Gateway does not serve: the OpenAPI document and Swagger UI.

``/openapi.json`` is the checked-in ``docs/openapi.json`` (generated from the code, kept fresh by
a test); ``/docs`` is Swagger UI from the swagger-ui-bundle package, so it works offline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from swagger_ui_bundle import swagger_ui_path
from werkzeug.security import safe_join
from werkzeug.wrappers import Request, Response

from local.openapi import DOCUMENT

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Annex API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/static/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", persistAuthorization: false});</script>
</body></html>"""


def with_docs(app: WSGIApp) -> WSGIApp:
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if request.method == "GET":
            if request.path == "/openapi.json":
                response = Response(DOCUMENT.read_bytes(), content_type="application/json")
                return response(environ, start_response)
            if request.path in ("/docs", "/docs/"):
                return Response(PAGE, content_type="text/html")(environ, start_response)
            if request.path.startswith("/docs/static/"):
                found = safe_join(str(swagger_ui_path), request.path.removeprefix("/docs/static/"))
                if found and Path(found).is_file():
                    kind = "text/css" if found.endswith(".css") else "application/javascript"
                    return Response(Path(found).read_bytes(), content_type=kind)(environ, start_response)
        return app(environ, start_response)

    return serve
