"""`python -m local` (what `make run` starts) in a child process on free loopback ports, for the
tests, the load test and the benchmarks."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from local.durable import MEMORY
from local.template import ROOT


class NotStarted(Exception):
    """The server exited or did not answer in time; its log says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    dynamodb: str
    table: str
    log: Path
    pid: int = 0  # the server's process, which leads its process group


@contextlib.contextmanager
def local_server(table: str, log: Path, env_vars: dict[str, str], start_seconds: float = 60) -> Iterator[Server]:
    """The server with its own embedded engine and ``table``, its output in ``log``, for the block."""
    port, db_port = free_port(), free_port()
    fixed = {"PORT": str(port), "DYNAMODB_PORT": str(db_port), "TABLE_NAME": table, "ANNEX_DATA_DIR": MEMORY}
    env = os.environ | fixed | env_vars  # a clean table in memory, unless env_vars give ANNEX_DATA_DIR
    env.pop("DYNAMODB_ENDPOINT", None)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "local"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, with its functions' containers
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                requests.get(f"{url}/users", timeout=1)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise NotStarted(f"python -m local did not start; its log: {log}") from None
                time.sleep(0.2)
        yield Server(url, f"http://127.0.0.1:{db_port}", table, log, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
