"""`make bench`: what a cold function costs, against the floor, and what a request costs beyond DynamoDB.

1. Cold start: for every function of template.yaml, a fresh interpreter imports the function's
   module and creates its DynamoDB handle (what its first request would otherwise build), timed
   inside the interpreter (its own start-up excluded, the same for every line). The **floor** is
   ``import boto3`` plus one DynamoDB client, measured in the same run; the **libraries** line
   adds what Annex chose on top of it (Powertools' validating REST resolver and Metrics,
   pydantic), so the difference between a function and it is Annex's own share; the Tracer (the
   X-Ray SDK) is created before SnapStart's snapshot or on the first invocation, not at import,
   and its own line shows what it costs then. Each line is the
   median of BENCH_COLD_RUNS (7) runs, the runs of all lines interleaved so the machine's load
   falls on all alike. Annex's package is compiled to bytecode first, as the layer is built
   (layers/annex/Makefile), so each run loads it as a deployed cold start does; the libraries
   are the virtualenv's, compiled when pip installed them.
2. In process, the cost of one request beyond the DynamoDB requests it makes: the handler's time
   minus the time of the same DynamoDB requests sent raw (recorded from the handler's own, replayed
   on a plain client), median of BENCH_CALLS (1,000), for a metadata read, a metacounter increase
   and a 10-event batch, against the embedded engine.

Numbers of this machine, to compare changes, not to predict Lambda (where SnapStart restores a
snapshot taken after the init this measures).
"""

from __future__ import annotations

import compileall
import contextlib
import copy
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import boto3
from botocore.exceptions import ClientError

from annex.store.table import table, target
from benchmarks.metadata import CALLS, CONTAINER_ENV, TABLE, event, quiet, start_stack
from local.gateway import Containers
from local.template import ROOT, Template, load

RUNS = int(os.environ.get("BENCH_COLD_RUNS", "7"))
FLOOR = "import boto3\nboto3.client('dynamodb', region_name='us-east-1')"
LIBRARIES = f"""{FLOOR}
import pydantic
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
APIGatewayRestResolver(enable_validation=True)
Metrics(namespace='Annex')"""
# What the Tracer adds when created (the X-Ray SDK): before SnapStart's snapshot, or on the first
# invocation, not in the lines above (annex.telemetry.tracer).
TRACER = f"{FLOOR}\nfrom aws_lambda_powertools import Tracer\nTracer()"
FUNCTION = """import importlib.util
spec = importlib.util.spec_from_file_location('app', {source!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
{handles}"""
HANDLES = "from annex.store.table import table\ntable()"
PROBE = """import time
started, cpu = time.perf_counter(), time.process_time()
{body}
print((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000)"""


def _run(body: str) -> tuple[float, float]:
    """Wall and CPU milliseconds of ``body`` in a fresh interpreter."""
    code = PROBE.format(body=body)
    # Lambda's init environment: Annex pauses the garbage collector while it initializes (annex/__init__.py).
    env = os.environ | CONTAINER_ENV | {"TABLE_NAME": "annex-bench", "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def cold_starts() -> dict[str, tuple[float, float]]:
    """Median wall and CPU milliseconds of each line (``floor``, ``libraries``, then every
    function); on a loaded machine CPU time is the steadier."""
    # Into __pycache__, checked against the sources (the build's are not: the layer never changes).
    compileall.compile_dir(ROOT / "layers" / "annex" / "annex", quiet=1)
    template = Template(load())
    bodies = {"floor": FLOOR, "libraries": LIBRARIES, "floor + Tracer()": TRACER}
    for fid in sorted(template.of_type("AWS::Serverless::Function")):
        function = template.function(fid)
        uses_table = "Policies" in template.resources[fid]["Properties"]
        bodies[fid] = FUNCTION.format(source=str(function.source), handles=HANDLES if uses_table else "")
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in bodies}
    for _ in range(RUNS):
        for name, body in bodies.items():
            samples[name].append(_run(body))
    return {
        name: (statistics.median(wall for wall, _ in runs), statistics.median(cpu for _, cpu in runs))
        for name, runs in samples.items()
    }


def print_cold_starts() -> None:
    found = cold_starts()
    wall_floor, cpu_floor = found["floor"]
    print(f"Cold start: fresh interpreter, import + DynamoDB handle, median of {RUNS} (interleaved)\n")
    print("| line | wall ms | x floor | CPU ms | x floor |\n|------|---------|---------|--------|---------|")
    for name, (wall, cpu) in found.items():
        print(f"| {name} | {wall:.0f} | {wall / wall_floor:.2f} | {cpu:.0f} | {cpu / cpu_floor:.2f} |")


class Recorder:
    """The low-level DynamoDB requests a handler sends (operation and wire parameters), while active."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.events = table().meta.client.meta.events

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.requests.append((model.name, copy.deepcopy(params)))

    def __enter__(self) -> Recorder:
        # Last: after the table resource turned Python values into DynamoDB's typed ones.
        self.events.register_last("before-parameter-build.dynamodb", self._record, unique_id="bench-recorder")
        return self

    def __exit__(self, *_: Any) -> None:
        self.events.unregister("before-parameter-build.dynamodb", unique_id="bench-recorder")


def _raw_ms(client: Any, requests: list[tuple[str, dict[str, Any]]]) -> float:
    """The time of ``requests`` sent as they are, on a plain client (a refused condition still counts)."""
    started = time.perf_counter()
    for operation, params in requests:
        with contextlib.suppress(ClientError):
            client._make_api_call(operation, params)
    return (time.perf_counter() - started) * 1000


U, C = "/users/{user_id}", "/{channel_type}/{channel_url}"
u, c = "/users/bench-user", "/open_channels/bench-channel"
BATCH = [{"session_id": "bench-session", "type": "track", "name": f"e{i}"} for i in range(10)]
OVERHEAD = [
    ("metadata read", "UsersFunction", event("GET", f"{U}/metadata", f"{u}/metadata")),
    (
        "metacounter increase",
        "ChannelsFunction",
        event("PUT", f"{C}/metacounter", f"{c}/metacounter", {"metacounter": {"m0": 1}, "mode": "increase"}),
    ),
    ("10-event batch", "EventsFunction", event("POST", "/events", "/events", {"batch": BATCH})),
]


def print_overhead(endpoint: str) -> None:
    template = Template(load())
    pools = {fid: Containers(template.function(fid)) for _, fid, _ in OVERHEAD}
    with quiet():
        pools["UsersFunction"].invoke(
            event("POST", "/users", "/users", {"user_id": "bench-user", "metadata": {"k": "v"}})
        )
        pools["ChannelsFunction"].invoke(
            event("POST", "/{channel_type}", "/open_channels", {"channel_url": "bench-channel"})
        )
        pools["ChannelsFunction"].invoke(
            event("POST", f"{C}/metacounter", f"{c}/metacounter", {"metacounter": {"m0": 0}})
        )
    raw = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
    print(f"\nIn process: a request's cost beyond its DynamoDB requests (median of {CALLS})\n")
    print("| request | handler ms | raw DynamoDB ms | beyond DynamoDB ms |")
    print("|---------|------------|-----------------|--------------------|")
    for name, fid, measured in OVERHEAD:
        handler, beyond = [], []
        for _ in range(CALLS):
            with Recorder() as recorder, quiet():
                started = time.perf_counter()
                response = pools[fid].invoke(measured)
                took = (time.perf_counter() - started) * 1000
            assert response["statusCode"] < 300, (name, response["body"])
            handler.append(took)
            beyond.append(took - _raw_ms(raw, recorder.requests))
        spent = statistics.median(handler)
        extra = statistics.median(beyond)
        print(f"| {name} | {spent:.2f} | {spent - extra:.2f} | {extra:.2f} |")


def main() -> None:
    print_cold_starts()
    engine = start_stack()
    with target(TABLE, engine.endpoint):
        print_overhead(engine.endpoint)
    engine.stop()


if __name__ == "__main__":
    main()
