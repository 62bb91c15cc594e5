"""`make load` sends traffic only to this machine: any other LOAD_URL is refused before a request.

(`python -m load` runs in a subprocess: importing locust patches the standard library for gevent.)
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def load(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LOAD_")} | env
    return subprocess.run(
        [sys.executable, "-m", "load"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://10.1.2.3:3000", "must point at this machine"),
        ("https://example.com", "must point at this machine"),
        ("http://127.0.0.1.example.com:3000", "must point at this machine"),
        ("ftp://127.0.0.1/", "must be an http(s) URL"),
    ],
)
def test_a_target_off_this_machine_is_refused(url: str, says: str) -> None:
    result = load(LOAD_URL=url)
    assert result.returncode == 2 and says in result.stderr
    assert "Started" not in result.stdout and "Traceback" not in result.stderr


def test_run_length_is_bounded() -> None:
    for seconds in ("3601", "a minute"):
        result = load(LOAD_SECONDS=seconds, LOAD_URL="http://127.0.0.1:1")
        assert result.returncode == 2 and "LOAD_SECONDS must be" in result.stderr
