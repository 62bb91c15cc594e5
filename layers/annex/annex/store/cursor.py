"""The one codec of list cursors: opaque, URL-safe text (unpadded base64url) that a list reads
back, and the one ``invalid_cursor`` error for any cursor a list did not give out.

A cursor packs UTF-8 text, or a JSON value as its compact text. Whatever a client sends back is
only ever a 400: not base64, not UTF-8, not JSON, nested past the parser's depth, or a string no
item key can hold (a lone surrogate from a ``\\ud800`` escape) all answer ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, NoReturn

from annex.errors import BadRequest


def invalid() -> NoReturn:
    """Refuse a cursor that no list of this kind gave out."""
    raise BadRequest("The next cursor is not one this list gave out", code="invalid_cursor")


def pack(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def unpack(cursor: str) -> str:
    """The text ``pack`` packed; 400 for anything else."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        invalid()


def pack_json(value: Any) -> str:
    return pack(json.dumps(value, separators=(",", ":"), ensure_ascii=False))  # compact: four-byte characters as such


def unpack_json(cursor: str) -> Any:
    """The JSON value ``pack_json`` packed; 400 for anything else (the caller checks its shape)."""
    try:
        value = json.loads(unpack(cursor))
        json.dumps(value, ensure_ascii=False).encode()  # no lone surrogate in any string of it
    except (ValueError, RecursionError):  # RecursionError: forged deep nesting
        invalid()
    return value
