"""`make run`'s own guard: the well-known dev token is never served beyond this machine."""

from __future__ import annotations

import os
import subprocess
import sys

from local.__main__ import loopback
from tests.conftest import ROOT


def test_make_run_refuses_a_public_bind_with_the_well_known_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ANNEX_DEV_TOKEN"} | {
        "HOST": "0.0.0.0",
        "ANNEX_DATA_DIR": ":memory:",
    }
    run = subprocess.run([sys.executable, "-m", "local"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 2 and "ANNEX_DEV_TOKEN" in run.stderr
    assert loopback("127.0.0.1") and loopback("::1") and loopback("localhost")
    assert not loopback("0.0.0.0") and not loopback("192.168.1.5") and not loopback("example.com")
