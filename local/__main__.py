"""`make run`: the embedded DynamoDB engine, the table from template.yaml, a dev application and the gateway."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import sys
from pathlib import Path

import boto3
from werkzeug.serving import make_server

from admin.applications import register
from annex.store.table import target
from local.docs import with_docs
from local.durable import MEMORY, DataDirError
from local.engine import Engine
from local.events import BUS_NAME, EventBus
from local.gateway import Gateway
from local.schedules import Scheduler
from local.streams import StreamPoller, stream_function
from local.template import ROOT, Template, load

LOCAL_APP_ID = "local"
WELL_KNOWN_TOKEN = "local-dev-token"  # printed in the README: fine on loopback only
LOCAL_TABLE = "annex-local"


def loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: it may resolve to anything
        return False


def ensure_table(template: Template, endpoint: str, region: str, name: str) -> None:
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    if name in client.list_tables().get("TableNames", []):
        return
    client.create_table(TableName=name, **template.table_definition())
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    ttl = template.ttl_attribute()
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})


def data_directory() -> Path | None:
    """Where the embedded engine keeps its data: ANNEX_DATA_DIR, else .annex-data in the checkout;
    none (memory only, gone at the stop) for ANNEX_DATA_DIR=:memory:."""
    configured = os.environ.get("ANNEX_DATA_DIR") or str(ROOT / ".annex-data")
    return None if configured == MEMORY else Path(configured).resolve()


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    for noisy in ("werkzeug", "botocore", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "3000"))
    token = os.environ.get("ANNEX_DEV_TOKEN", WELL_KNOWN_TOKEN)
    if token == WELL_KNOWN_TOKEN and not loopback(host):
        print(
            f"Refusing to serve on {host} with the well-known token {WELL_KNOWN_TOKEN}: anyone who can reach "
            "this machine could use it. Set ANNEX_DEV_TOKEN to a secret of your own, or bind a loopback HOST.",
            file=sys.stderr,
            flush=True,
        )
        return 2
    # No AWS account is needed: the SDK only wants some credentials to sign requests with.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_REGION", "us-east-1")
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "AnnexLocal")

    engine = None
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if not endpoint:
        data_dir = data_directory()
        try:
            compact = int(os.environ["ANNEX_COMPACT_RECORDS"]) if os.environ.get("ANNEX_COMPACT_RECORDS") else None
            engine = Engine(host, int(os.environ.get("DYNAMODB_PORT", "8000")), data_dir, compact).start()
        except DataDirError as error:
            print(error, file=sys.stderr, flush=True)
            return 2
        endpoint = engine.endpoint
    template = Template(load())
    table = os.environ.get("TABLE_NAME", LOCAL_TABLE)
    for name, value in template.environment({"Table": table}).items():
        os.environ.setdefault(name, value)
    os.environ["DYNAMODB_ENDPOINT"] = endpoint
    os.environ["TABLE_NAME"] = table
    ensure_table(template, endpoint, os.environ["AWS_REGION"], table)
    with target(table, endpoint, os.environ["AWS_REGION"]):
        register(LOCAL_APP_ID, "local development", token)

    poller = bus = None
    function = stream_function(template)
    webhook = os.environ.get("ANNEX_WEBHOOK_URL")
    if webhook and function is not None:
        # The changes function publishes to a stand-in bus (as to EventBridge in AWS) that POSTs to the webhook.
        bus = EventBus(webhook).start()
        os.environ["EVENT_BUS_NAME"] = BUS_NAME
        os.environ["AWS_ENDPOINT_URL_EVENTBRIDGE"] = bus.endpoint
        positions = engine.durable.positions if engine is not None and engine.durable is not None else None
        poller = StreamPoller(endpoint, table, function, positions).start()

    scheduler = Scheduler(template.schedules()).start()
    gateway = Gateway(template)
    server = make_server(host, port, with_docs(gateway), threaded=True)
    print(f"Annex API      http://{host}:{server.server_port}", flush=True)
    print(f"DynamoDB       {endpoint}  (table {table})", flush=True)
    if engine is not None:
        kept = engine.durable.dir if engine.durable is not None else "in memory only (ANNEX_DATA_DIR=:memory:)"
        print(f"Data           {kept}", flush=True)
    print(f"Api-Token      {token}  (application {LOCAL_APP_ID})", flush=True)
    print(f"Routes         {len(gateway.routes)} from template.yaml; Ctrl-C stops", flush=True)
    print(f"Docs           http://{host}:{server.server_port}/docs  (OpenAPI at /openapi.json)", flush=True)
    print(f"Console        http://{host}:{server.server_port}/console  (sign in with the token)", flush=True)
    if poller is not None:
        print(f"Change events  delivered to {webhook}", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the same way on SIGTERM
    try:
        server.serve_forever()  # returns on Ctrl-C (werkzeug catches KeyboardInterrupt)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping", flush=True)
        server.server_close()
        gateway.stop()
        scheduler.stop()
        if poller is not None:
            poller.stop()
        if bus is not None:
            bus.stop()
        if engine is not None:
            engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
