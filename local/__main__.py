"""`make run`: the embedded DynamoDB engine, the table from template.yaml, a dev application and the gateway."""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import signal
import sys
import tempfile
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
from local.streams import StreamPoller, stream_functions
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


def ensure_table(template: Template, endpoint: str, region: str, name: str) -> bool:
    """Create the table the template declares, or add the indexes a kept table lacks (a data
    directory written by an earlier release); True when the kept table had to be brought up to date."""
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    if name in client.list_tables().get("TableNames", []):
        definition = template.table_definition()
        have = {
            i["IndexName"] for i in client.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
        }
        missing = [i for i in definition.get("GlobalSecondaryIndexes", []) if i["IndexName"] not in have]
        for index in missing:
            named = {k["AttributeName"] for k in index["KeySchema"]}
            attributes = [a for a in definition["AttributeDefinitions"] if a["AttributeName"] in named]
            client.update_table(
                TableName=name, AttributeDefinitions=attributes, GlobalSecondaryIndexUpdates=[{"Create": index}]
            )
        return bool(missing)
    client.create_table(TableName=name, **template.table_definition())
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    ttl = template.ttl_attribute()
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})
    return False


def data_directory() -> Path | None:
    """Where the embedded engine keeps its data: ANNEX_DATA_DIR, else .annex-data in the checkout;
    none (memory only, gone at the stop) for ANNEX_DATA_DIR=:memory:."""
    configured = os.environ.get("ANNEX_DATA_DIR") or str(ROOT / ".annex-data")
    return None if configured == MEMORY else Path(configured).resolve()


def analytics_directory(data_dir: Path | None) -> Path:
    """Where make run keeps the columnar copy: under the data directory (a temporary one without)."""
    if data_dir is not None:
        return data_dir / "analytics"
    return Path(tempfile.mkdtemp(prefix="annex-analytics-"))


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
    data_dir = data_directory()
    # The columnar copy of analytics at any size: DuckDB over Parquet files next to the table's data
    # (ANALYTICS_MAX_SESSIONS is the planner's threshold), fed by the stream poller below.
    os.environ.setdefault("ANALYTICS_ENGINE", "duckdb")
    os.environ.setdefault("ANALYTICS_DIR", str(analytics_directory(data_dir)))
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if not endpoint:
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
    upgraded = ensure_table(template, endpoint, os.environ["AWS_REGION"], table)
    with target(table, endpoint, os.environ["AWS_REGION"]):
        from admin import migrate

        if upgraded or not migrate.current():  # data kept by an earlier release: move it to this layout first
            state = (data_dir or Path(".")) / "migrate.state"
            tally = migrate.migrate(state, lambda t: logging.info("Migrating the kept data: %s", t.brief()))
            logging.info("Kept data migrated: %s", tally.brief())
        register(LOCAL_APP_ID, "local development", token)

    pollers: list[StreamPoller] = []
    bus = None
    consumers = stream_functions(template)
    positions = engine.durable.positions if engine is not None and engine.durable is not None else None
    webhook = os.environ.get("ANNEX_WEBHOOK_URL")
    if webhook and "ChangesFunction" in consumers:
        # The changes function publishes to a stand-in bus (as to EventBridge in AWS) that POSTs to the webhook.
        bus = EventBus(webhook).start()
        os.environ["EVENT_BUS_NAME"] = BUS_NAME
        os.environ["AWS_ENDPOINT_URL_EVENTBRIDGE"] = bus.endpoint
        pollers.append(StreamPoller(endpoint, table, consumers["ChangesFunction"], positions).start())
    if "ColumnarFunction" in consumers and os.environ["ANALYTICS_ENGINE"] == "duckdb":
        columnar = consumers["ColumnarFunction"]
        pollers.append(StreamPoller(endpoint, table, columnar, positions, consumer="columnar").start())

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
    if bus is not None:
        print(f"Change events  delivered to {webhook}", flush=True)
    print(f"Analytics      {os.environ['ANALYTICS_ENGINE']} copy in {os.environ.get('ANALYTICS_DIR')}", flush=True)
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
        for poller in pollers:
            poller.stop()
        if bus is not None:
            bus.stop()
        if engine is not None:
            engine.stop()
        if data_dir is None and os.environ["ANALYTICS_DIR"].startswith(tempfile.gettempdir()):
            shutil.rmtree(os.environ["ANALYTICS_DIR"], ignore_errors=True)  # :memory: keeps nothing
    return 0


if __name__ == "__main__":
    sys.exit(main())
