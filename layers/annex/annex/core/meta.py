"""`meta` documents: the size limit and how a document is measured (its compact JSON in UTF-8)."""

from __future__ import annotations

import json
from typing import Any

MAX_META_BYTES = 8 * 1024


def serialized_size(document: dict[str, Any]) -> int:
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode())
