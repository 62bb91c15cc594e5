"""The server a load test targets: `python -m local` (what `make run` starts) on free loopback ports,
or an already running one at ``LOAD_URL``, which must be on this machine."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import requests

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def local_server(token: str) -> Iterator[tuple[str, Path]]:
    """`python -m local` on free ports with its own table, for the length of the block: (URL, log)."""
    port, db_port = _free_port(), _free_port()
    env = os.environ | {
        "PORT": str(port),
        "DYNAMODB_PORT": str(db_port),
        "ANNEX_DEV_TOKEN": token,
        "TABLE_NAME": "annex-load",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    env.pop("DYNAMODB_ENDPOINT", None)
    log_path = Path(tempfile.mkdtemp(prefix="annex-load-")) / "server.log"
    with log_path.open("w") as log:
        command = [sys.executable, "-m", "local"]
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                requests.get(f"{url}/users", timeout=1)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise Refused(f"python -m local did not start; its log: {log_path}") from None
                time.sleep(0.2)
        yield url, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def reachable(url: str) -> None:
    try:
        requests.get(f"{url}/users", timeout=5)
    except requests.RequestException:
        raise Refused(f"nothing answers at {url}: start it with `make run`, or leave LOAD_URL unset") from None
