"""The handlers' imports: functions/*/app.py are files, not a package, so import-linter (make lint)
cannot see them; their rule is checked here (docs/architecture.md)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


# What a function's cold start (its module imported, its table handle created) must not load: what
# only some requests need is imported by them, on first use (benchmarks/coldstart.py measures it).
NOT_AT_COLD_START = {
    "*": {"lark", "sqlglot", "duckdb", "aws_xray_sdk", "annex.domain.q_grammar"},
    "events": {"annex.store.records", "annex.domain.session_search", "annex.api.filters", "annex.domain.analytics"}
    | {"annex.models.resources", "annex.models.keyvalue"},  # the users' and channels' bodies
    "sessions": {"annex.domain.session_search", "annex.api.filters", "annex.domain.analytics"}
    | {"annex.models.resources", "annex.models.keyvalue"},
    "channels": {"annex.domain.messages", "annex.store.messages"},  # only a channel's delete needs them
    # the users' and channels' rules and stores
    "analytics": {"annex.domain.resources", "annex.models.resources", "annex.store.kvitems", "annex.store.records"},
}
PROBE = """import gc, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
from annex.store.table import _table, current, table
table()
from pydantic import BaseModel
models = [o for o in gc.get_objects() if isinstance(o, type) and issubclass(o, BaseModel)]
built = sorted(m.__name__ for m in models if m.__module__.startswith("annex") and m.__pydantic_complete__
               and not m.__pydantic_generic_metadata__["parameters"])
print(json.dumps({"modules": sorted(sys.modules), "resource": _table(current()).__class__.__name__, "built": built}))"""


@pytest.mark.parametrize("name", ["events", "sessions", "analytics", "channels"])
def test_a_cold_start_loads_only_what_every_request_needs(name: str) -> None:
    env = os.environ | {"TABLE_NAME": "annex-cold", "AWS_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    source = ROOT / "functions" / name / "app.py"
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(source)], capture_output=True, text=True, env=env, check=True
    )
    found = json.loads(out.stdout.splitlines()[-1])
    unwanted = (NOT_AT_COLD_START["*"] | NOT_AT_COLD_START.get(name, set())) & set(found["modules"])
    assert unwanted == set(), f"{name} loads at import what only some requests need"
    assert found["resource"] == "HighLevelTable"  # a client with boto3's high-level handlers, not boto3.resource
    assert found["built"] == ["Settings"]  # every request model builds its validator on first use


GC_PROBE = """import gc, importlib.util, json, sys
import annex
paused = not gc.isenabled()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
print(json.dumps({"paused": paused, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))"""


def test_lambdas_init_pauses_the_collector_until_the_entry_point_is_built() -> None:
    """In Lambda's init the garbage collector pauses from Annex's first import until the entry
    point is built, which freezes what init built (annex/__init__.py, annex.snapstart.end_init);
    anywhere else nothing changes."""
    env = os.environ | {"TABLE_NAME": "annex-cold", "AWS_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    source = str(ROOT / "functions" / "users" / "app.py")
    found = {}
    for init in ("on-demand", ""):
        out = subprocess.run(
            [sys.executable, "-c", GC_PROBE, source],
            capture_output=True,
            text=True,
            env=env | {"AWS_LAMBDA_INITIALIZATION_TYPE": init},
            check=True,
        )
        found[init] = json.loads(out.stdout.splitlines()[-1])
    lambda_init, elsewhere = found["on-demand"], found[""]
    assert lambda_init["paused"] and lambda_init["enabled"]
    assert not elsewhere["paused"] and elsewhere["enabled"]
    assert lambda_init["frozen"] > elsewhere["frozen"]  # init's modules, classes and routes
