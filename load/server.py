"""The server a load test targets: `python -m local` (what `make run` starts) on free loopback ports,
or an already running one at ``LOAD_URL``, which must be on this machine."""

from __future__ import annotations

import contextlib
import ipaddress
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import requests

from local import spawn

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60


class Refused(Exception):
    """A target the load test will not send traffic to, or one that is not there."""


def loopback_url(url: str) -> str:
    """``url`` without a trailing slash, if it names this machine (localhost or a loopback address)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"LOAD_URL must be an http(s) URL such as http://127.0.0.1:3000, not {url!r}")
    host = parts.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise Refused(f"LOAD_URL must point at this machine (localhost, 127.0.0.0/8 or [::1]), not {host}")
    return url.rstrip("/")


@contextlib.contextmanager
def local_server(token: str) -> Iterator[tuple[str, Path]]:
    """`python -m local` on free ports with its own table, for the length of the block: (URL, log)."""
    log = Path(tempfile.mkdtemp(prefix="annex-load-")) / "server.log"
    env = {"ANNEX_DEV_TOKEN": token, "POWERTOOLS_LOG_LEVEL": "WARNING"}
    try:
        with spawn.local_server("annex-load", log, env, START_SECONDS) as server:
            yield server.url, server.log
    except spawn.NotStarted as failed:
        raise Refused(str(failed)) from None


def reachable(url: str) -> None:
    try:
        requests.get(f"{url}/users", timeout=5)
    except requests.RequestException:
        raise Refused(f"nothing answers at {url}: start it with `make run`, or leave LOAD_URL unset") from None
