"""The handlers' imports: functions/*/app.py are files, not a package, so import-linter (make lint)
cannot see them; their rule is checked here (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

from local.template import ROOT

HANDLERS = sorted((ROOT / "functions").glob("*/app.py"))
# What a handler may import of the layer: the HTTP wiring, the rules, the bodies, pure types, settings,
# and its metrics and traces.
ALLOWED = ("annex.api", "annex.domain", "annex.models", "annex.core", "annex.config", "annex.telemetry")


def layer_imports(source: Path) -> set[str]:
    """Every ``annex`` module the file imports (``from annex import api`` is ``annex.api``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "annex" or name.startswith("annex.")}


def _allowed(name: str) -> bool:
    return any(name == top or name.startswith(top + ".") for top in ALLOWED)


def _module(name: str) -> str:
    """The module part of an imported name (``annex.store.tokens.application_for`` → ``annex.store.tokens``)."""
    parts = name.split(".")
    return ".".join(parts[:3])


def test_handlers_import_only_the_api_the_domain_the_models_core_and_settings() -> None:
    assert HANDLERS
    wrong = {
        (source.parent.name, _module(name))
        for source in HANDLERS
        for name in layer_imports(source)
        if not _allowed(name)
    }
    assert wrong == set(), "handlers must not skip the domain (docs/architecture.md)"
