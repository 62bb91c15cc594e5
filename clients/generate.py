"""`make client`: the typed Python client in clients/python, generated from docs/openapi.json.

openapi-python-client writes the whole package (models, one module per operation, pyproject);
this keeps the hand-written clients/python/README.md. ``--check`` generates into a temporary
directory and fails when clients/python differs (tests/infra/test_client.py runs it).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "clients" / "python"
KEPT = {"README.md"}  # written by hand: the common calls


def generate(into: Path) -> Path:
    """Generate the client under ``into``; the package's directory."""
    out = into / "annex-client"
    bin_dir = str(Path(sys.executable).parent)  # the generator's own ruff, from this virtualenv
    subprocess.run(
        [
            str(Path(bin_dir) / "openapi-python-client"),
            "generate",
            "--path",
            str(ROOT / "docs" / "openapi.json"),
            "--config",
            str(ROOT / "clients" / "config.yaml"),
            "--meta",
            "uv",
            "--output-path",
            str(out),
            "--fail-on-warning",
        ],
        check=True,
        capture_output=True,
        env=os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
    )
    return out


def _files(root: Path) -> set[Path]:
    return {
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file()
        and not {"__pycache__", ".ruff_cache"} & set(p.relative_to(root).parts)
        and ".egg-info" not in str(p)
        and p.name not in KEPT
    }


def differences(generated: Path) -> list[str]:
    new, old = _files(generated), _files(TARGET) if TARGET.exists() else set()
    changed = [str(p) for p in sorted(new & old) if not filecmp.cmp(generated / p, TARGET / p, shallow=False)]
    return [f"missing {p}" for p in sorted(new - old)] + [f"extra {p}" for p in sorted(old - new)] + changed


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        generated = generate(Path(tmp))
        if "--check" in sys.argv:
            stale = differences(generated)
            for line in stale:
                print(f"clients/python is stale: {line} (run `make client`)")
            return 1 if stale else 0
        new = _files(generated)
        for path in (_files(TARGET) if TARGET.exists() else set()) - new:
            (TARGET / path).unlink()
        for path in new:  # unchanged files keep their times (make reinstalls the client when its pyproject changes)
            target = TARGET / path
            if not target.exists() or not filecmp.cmp(generated / path, target, shallow=False):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(generated / path, target)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
