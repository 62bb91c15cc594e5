"""The request body as Annex reads it: UTF-8 JSON of at most 1 MiB, finite numbers, 32 levels deep."""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from annex.errors import BadRequest, PayloadTooLarge

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32


def strict_json(body: str) -> Any:
    """JSON as Annex accepts it: finite numbers, at most 32 levels deep, no unpaired surrogates."""

    def refuse(constant: str) -> Any:
        raise BadRequest(f"{constant} is not a JSON number", code="invalid_request")

    def finite(text: str) -> float:
        number = float(text)
        if not math.isfinite(number):
            raise BadRequest(f"{text[:20]} is out of the range of a JSON number", code="invalid_request")
        return number

    try:
        value = json.loads(body, parse_constant=refuse, parse_float=finite)
    except json.JSONDecodeError:
        raise  # Powertools answers it as an invalid body
    except ValueError:  # e.g. an integer of more than 4300 digits
        raise BadRequest("The body holds a number that is too large", code="invalid_request") from None
    except RecursionError:
        raise BadRequest(f"The body nests more than {MAX_JSON_DEPTH} levels", code="invalid_request") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise BadRequest(f"The body nests more than {MAX_JSON_DEPTH} levels", code="invalid_request")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("The body has a string that is not valid Unicode", code="invalid_request") from None
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def as_json(event: dict[str, Any]) -> dict[str, Any]:
    """The event with a UTF-8 text body of at most 1 MiB, read as JSON whatever Content-Type the
    client sent (curl -d says form-urlencoded)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        if len(body) * 3 // 4 > MAX_BODY_BYTES:
            raise PayloadTooLarge("The body is larger than 1 MiB")
        try:
            body = base64.b64decode(body).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest("The body is not UTF-8 JSON", code="invalid_request") from None
    if len(body.encode("utf-8", errors="surrogatepass")) > MAX_BODY_BYTES:
        raise PayloadTooLarge("The body is larger than 1 MiB")
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != "content-type"}
    headers["Content-Type"], multi["Content-Type"] = "application/json", ["application/json"]
    return event | {"headers": headers, "multiValueHeaders": multi, "body": body or None, "isBase64Encoded": False}
