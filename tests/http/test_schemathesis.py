"""Schemathesis against the local server, from docs/openapi.json: no 5xx and no response that breaks
the schema. `make test` runs a few examples per operation with a fixed seed; `make fuzz` runs many."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, TOKEN, Stack

EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "5")
SEED = os.environ.get("SCHEMATHESIS_SEED", "1")  # "random" in make fuzz


def test_no_5xx_and_every_response_fits_the_schema(stack: Stack) -> None:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(ROOT / "docs" / "openapi.json"),
        "--url",
        stack.url,
        "--header",
        f"Api-Token: {TOKEN}",
        "--max-examples",
        EXAMPLES,
        "--workers",
        "2",
        "--checks",
        "not_a_server_error,response_schema_conformance,status_code_conformance",
    ]
    if SEED != "random":
        command += ["--seed", SEED]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900, check=False)
    summary = re.search(r"Test cases:\s*\n\s*(.+)", run.stdout)
    print(f"schemathesis: {summary.group(1) if summary else 'no summary'}")
    assert run.returncode == 0, run.stdout[-6000:]
    assert summary and "generated" in summary.group(1)
