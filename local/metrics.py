"""`make run` shows the functions' figures (annex.telemetry) readably: each CloudWatch EMF line a
function prints becomes ``metric Requests=1 route="GET /users" status_class=2xx``, the way
CloudWatch would read it; every other line passes as it is."""

from __future__ import annotations

import io
import json
from typing import Any, TextIO


def readable(line: str) -> str | None:
    """The EMF line ``line`` as ``metric name=value dimension=value ...``; None for any other line."""
    if not line.startswith('{"_aws"'):
        return None
    try:
        blob: dict[str, Any] = json.loads(line)
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        dims = " ".join(f"{name}={json.dumps(blob[name])}" for name in directive["Dimensions"][0])
        values = []
        for metric in directive["Metrics"]:
            value = blob[metric["Name"]]
            total = sum(value) if isinstance(value, list) else value
            values.append(f"{metric['Name']}={total:g}")
    except (ValueError, KeyError, TypeError):
        return None
    return f"metric {' '.join(values)} {dims}".rstrip()


class ReadableMetrics(io.TextIOBase):
    """A text stream that writes through to ``out``, EMF lines rewritten by ``readable``."""

    def __init__(self, out: TextIO):
        self.out = out
        self.pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.out.write((readable(line) or line) + "\n")
        return len(text)

    def flush(self) -> None:
        self.out.flush()
