"""template.yaml's operations: SnapStart on published versions (every function registering its
runtime hooks), the layer built to bytecode, the figures' namespace, and a dashboard that graphs
every figure annex.telemetry emits next to the alarms."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

from annex import telemetry
from local.template import ROOT, Template, load

TEMPLATE = Template(load())
GLOBALS = TEMPLATE.raw["Globals"]["Function"]
FUNCTIONS = TEMPLATE.of_type("AWS::Serverless::Function")


def _dashboard() -> tuple[dict[str, Any], list[Any]]:
    """The dashboard's body as JSON (each ``${...}`` of its !Sub read as a placeholder) and the
    values its ``${Alarms}`` joins."""
    (dashboard,) = TEMPLATE.of_type("AWS::CloudWatch::Dashboard").values()
    text, variables = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    body = json.loads(re.sub(r"\$\{[^}]+\}", "placeholder", text.replace("${Alarms}", '"alarms"')))
    alarms = variables["Alarms"]["Fn::Join"][1]
    return body, alarms


def test_every_python_function_is_published_with_snapstart_behind_an_alias() -> None:
    assert GLOBALS["Runtime"].startswith("python3.1")
    assert GLOBALS["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert GLOBALS["AutoPublishAlias"] == "live"
    for logical_id, function in FUNCTIONS.items():
        props = function["Properties"]
        assert props.get("SnapStart", GLOBALS["SnapStart"]) == {"ApplyOn": "PublishedVersions"}, logical_id
        assert props.get("AutoPublishAlias", "live") == "live", logical_id
        assert props.get("Runtime", GLOBALS["Runtime"]) == GLOBALS["Runtime"], logical_id


# Each function module imported as Lambda's runtime does, with SnapStart's hooks library present.
HOOKS_PROBE = """import importlib.util, json, random, sys, types
hooks = types.ModuleType("snapshot_restore_py")
after = []
hooks.register_before_snapshot = lambda hook: None
hooks.register_after_restore = after.append
sys.modules["snapshot_restore_py"] = hooks
found = {}
for number, path in enumerate(sys.argv[1:]):
    seen = len(after)
    spec = importlib.util.spec_from_file_location(f"function{number}", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    found[path] = random.seed in after[seen:]
print(json.dumps(found))"""


def test_every_function_registers_snapstarts_hooks_at_init() -> None:
    """A restored snapshot must reseed ``random`` (annex.snapstart): each function's init registers
    the hooks (``telemetry.instrument``)."""
    sources = [str(TEMPLATE.function(logical_id).source) for logical_id in FUNCTIONS]
    env = os.environ | {"TABLE_NAME": "annex-hooks", "AWS_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    out = subprocess.run(
        [sys.executable, "-c", HOOKS_PROBE, *sources], capture_output=True, text=True, env=env, check=True, cwd=ROOT
    )
    found = json.loads(out.stdout.splitlines()[-1])
    assert [path for path, registered in found.items() if not registered] == []


def test_the_layer_ships_bytecode() -> None:
    """sam build runs layers/annex/Makefile, which compiles the layer (SAM's python builder ships
    no .pyc, and /opt is read-only: each cold start would compile it again)."""
    assert TEMPLATE.resources["AnnexLayer"]["Metadata"]["BuildMethod"] == "makefile"
    recipe = (ROOT / "layers" / "annex" / "Makefile").read_text()
    assert "build-AnnexLayer:" in recipe
    assert "-m compileall" in recipe and "--invalidation-mode unchecked-hash" in recipe


def test_the_api_invokes_the_published_authorizer() -> None:
    spec = TEMPLATE.resources["Api"]["Properties"]["Auth"]["Authorizers"]["TokenAuthorizer"]
    assert spec["FunctionArn"] == {"Ref": "AuthorizerFunction.Alias"}


def test_the_figures_namespace_is_telemetrys() -> None:
    assert GLOBALS["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"] == telemetry.NAMESPACE


def test_the_dashboard_graphs_every_figure_and_shows_every_alarm() -> None:
    body, alarms = _dashboard()
    graphed: set[str] = set()
    for widget in body["widgets"]:
        for line in widget["properties"].get("metrics", []):
            if isinstance(line[0], dict):  # a SEARCH expression: MetricName="..."
                graphed |= set(re.findall(r'MetricName="(\w+)"', line[0]["expression"]))
            elif line[0] == telemetry.NAMESPACE:
                graphed.add(line[1])
    assert graphed >= telemetry.FIGURES | {"Requests", "Errors", "ColdStart"}
    shown = {re.fullmatch(r'"\$\{(\w+)\.Arn\}"', alarm["Fn::Sub"]).group(1) for alarm in alarms}  # type: ignore[union-attr]
    assert shown == set(TEMPLATE.of_type("AWS::CloudWatch::Alarm"))
