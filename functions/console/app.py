"""The web console: the static files `make console` builds from console/ into static/, served on
``GET /console`` and ``GET /console/{proxy+}`` of the API itself, so the page and the API share one
origin (locally and deployed) and the page needs no CORS and talks to nothing else.

These routes have no authorizer: the files are the same for everyone and hold no tenant data; the
page asks for a token and sends it to the API as ``Api-Token``. Every answer carries a
Content-Security-Policy that lets the page load and connect to its own origin only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from annex import telemetry

STATIC = Path(__file__).resolve().parent / "static"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
logger = Logger(service="annex")


def _files() -> dict[str, tuple[bytes, str, str]]:
    """Every servable file by name: its bytes, content type and ETag (read once per container)."""
    found = {}
    for path in sorted(STATIC.iterdir()) if STATIC.is_dir() else []:
        if path.is_file() and path.suffix in TYPES:
            data = path.read_bytes()
            found[path.name] = (data, TYPES[path.suffix], '"' + hashlib.sha256(data).hexdigest()[:32] + '"')
    return found


FILES = _files()


def _answer(status: int, body: str, headers: dict[str, str]) -> dict[str, Any]:
    return {"statusCode": status, "headers": SECURITY_HEADERS | headers, "body": body, "isBase64Encoded": False}


def _not_found(path: str) -> dict[str, Any]:
    body = json.dumps({"error": True, "code": "not_found", "message": f"No console file {path}"})
    return _answer(404, body, {"Content-Type": "application/json"})


def serve(event: dict[str, Any]) -> dict[str, Any]:
    path = str(event.get("path") or "")
    if event.get("resource") == "/console":
        if not path.endswith("/"):
            # Relative, so it holds under a stage (/v1/console) and locally (/console) alike; the
            # page's relative links then resolve inside /console/ and its API calls one level up.
            return _answer(301, "", {"Location": "console/", "Cache-Control": "no-cache"})
        name = "index.html"
    else:
        name = str((event.get("pathParameters") or {}).get("proxy") or "")
    found = FILES.get(name)
    if found is None:
        return _not_found(path)
    data, content_type, etag = found
    headers = {"Content-Type": content_type, "ETag": etag, "Cache-Control": "no-cache"}
    request_headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if request_headers.get("if-none-match") == etag:
        return _answer(304, "", headers)
    return _answer(200, data.decode("utf-8"), headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
@functools.partial(telemetry.instrument, dynamodb=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = time.perf_counter()
    response = serve(event)
    telemetry.request(f"{event.get('httpMethod')} {event.get('resource')}", response["statusCode"])
    logger.info(
        "request",
        extra={
            "method": event.get("httpMethod"),
            "route": event.get("resource"),
            "status": response["statusCode"],
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return response
