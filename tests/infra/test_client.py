"""The typed client in clients/python is what `make client` generates from docs/openapi.json today."""

from __future__ import annotations

import subprocess
import sys

from local.template import ROOT


def test_the_generated_client_is_fresh() -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "clients" / "generate.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
