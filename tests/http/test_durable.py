"""`make run` keeps its data (ANNEX_DATA_DIR): across a clean stop, a `kill -9` of its process
group in a burst of writes, a torn journal tail; a damaged journal stops the start untouched;
ANNEX_DATA_DIR=:memory: forgets; the stream resumes after the last delivered change."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from local.durable import MEMORY
from local.journal import frame
from tests.conftest import ROOT, TOKEN, Api, Stack, Webhook, admin, local_stack


def _durable(name: str, data: Path | str, **env: str) -> contextlib.AbstractContextManager[Stack]:
    return local_stack(name, TABLE_NAME="annex-durable", ANNEX_DATA_DIR=str(data), **env)


def _channel(api: Api) -> str:
    url = f"ch-{uuid.uuid4().hex[:8]}"
    assert api.post("/open_channels", {"channel_url": url}).status_code == 201
    return f"/open_channels/{url}"


def test_a_restart_serves_what_a_clean_stop_left_the_memory_mode_forgets_and_the_stream_resumes(
    tmp_path: Path,
) -> None:
    data, webhook, user = tmp_path / "data", Webhook(), f"u-{uuid.uuid4().hex[:8]}"
    idempotent = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    with _durable("durable-a", data, ANNEX_WEBHOOK_URL=webhook.url) as stack:
        api = Api(stack.url)
        assert api.post("/users", {"user_id": user, "nickname": "Ada"}).status_code == 201
        channel = _channel(api)
        first = api.post(f"/users/{user}/meta", {"n": 1}, headers=idempotent)
        assert first.ok, first.text
        assert api.post(f"{channel}/metacounter", {"metacounter": {"likes": 1}}).ok
        token = admin(stack, "apps", "create", "tenant-durable")["token"]
        assert Api(stack.url, token=token).post("/users", {"user_id": "theirs", "nickname": "B"}).status_code == 201
        assert webhook.wait_for(lambda e: e["id"] == user and e["field"] == "meta")  # delivered and acknowledged

    with _durable("durable-memory", MEMORY) as forgetful:
        assert Api(forgetful.url).get(f"/users/{user}").status_code == 404

    with _durable("durable-b", data) as stack:  # no webhook: this run's changes wait in the stream
        api = Api(stack.url)
        assert api.get(f"/users/{user}").json()["nickname"] == "Ada"
        assert api.get(f"{channel}/metacounter").json() == {"likes": 1}
        again = api.post(f"/users/{user}/meta", {"n": 1}, headers=idempotent)
        assert (again.status_code, again.json()) == (first.status_code, first.json())  # the idempotency record
        assert Api(stack.url, token=token).get("/users/theirs").status_code == 200
        assert api.put(f"{channel}/metacounter/likes", {"value": 2, "mode": "increase"}).json() == {"likes": 3}

    with _durable("durable-c", data, ANNEX_WEBHOOK_URL=webhook.url):
        channel_id = channel.lstrip("/")
        assert webhook.wait_for(lambda e: e["id"] == channel_id and e["after"] == 3)  # kept over the restart
    assert len([e for e in webhook.events if e["id"] == user and e["field"] == "meta"]) == 1  # not again
    assert len([e for e in webhook.events if e["id"] == channel_id and e["after"] == 1]) == 1
    webhook.server.shutdown()


def test_every_acknowledged_write_survives_a_kill_9_in_a_burst_and_a_torn_tail_is_dropped(tmp_path: Path) -> None:
    data, keys = tmp_path / "data", [f"k{i}" for i in range(8)]
    acked, unanswered = dict.fromkeys(keys, 0), set[str]()

    def increments(url: str, key: str) -> None:  # until the server dies
        session = requests.Session()
        session.headers["Api-Token"] = TOKEN
        while True:
            try:  # a long timeout: the first requests start the function's containers
                answer = session.put(url + key, json={"value": 1, "mode": "increase", "upsert": True}, timeout=300)
            except requests.RequestException:
                unanswered.add(key)  # applied or not: the answer never came
                return
            assert answer.status_code == 200, answer.text
            acked[key] += 1

    with _durable("durable-kill", data, ANNEX_COMPACT_RECORDS="100") as stack:  # compactions during the burst
        channel = _channel(Api(stack.url))
        url = f"{stack.url}{channel}/metacounter/"
        threads = [threading.Thread(target=increments, args=(url, k)) for k in keys]
        for thread in threads:
            thread.start()
        while (min(acked.values()) < 5 or sum(acked.values()) < 200) and all(t.is_alive() for t in threads):
            time.sleep(0.05)
        os.killpg(stack.pid, signal.SIGKILL)  # the server and its functions' containers, mid-burst
        for thread in threads:
            thread.join(timeout=60)
    assert sum(acked.values()) >= 200 and unanswered  # the kill interrupted writes in flight
    journal = max(data.glob("journal-*.log"))
    with journal.open("ab") as torn:
        torn.write(frame(b'{"op": "PutItem"}\n{}')[:-7])  # a record the crash cut short

    with _durable("durable-after-kill", data) as stack:
        counters = Api(stack.url).get(f"{channel}/metacounter").json()
        for key in keys:  # each thread had at most one increment in flight
            assert acked[key] <= counters.get(key, 0) <= acked[key] + (key in unanswered)
        assert "Dropped a torn record" in stack.log.read_text()


def test_a_damaged_journal_stops_the_start_and_leaves_the_files_as_they_were(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    journal = data / "journal-00000000.log"
    records = b"".join(
        frame(b'{"op": "PutItem", "region": "us-east-1", "at": "2024-01-01T00:00:00"}\n{}') for _ in range(3)
    )
    journal.write_bytes(records[:20] + bytes([records[20] ^ 0xFF]) + records[21:])  # damage in the first record
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data.iterdir()}
    env = os.environ | {"ANNEX_DATA_DIR": str(data), "PORT": "0", "DYNAMODB_PORT": "0"}
    started = subprocess.run(
        [sys.executable, "-m", "local"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert started.returncode == 2
    assert (
        "cannot be read" in started.stderr
        and str(journal) in started.stderr
        and "Nothing was changed" in started.stderr
    )
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data.iterdir() if p.name != "lock"} == before


@pytest.fixture(autouse=True)
def _no_default_data_dir_in_the_checkout() -> Iterator[None]:
    """The tests never touch the data of `make run` (.annex-data in the checkout)."""
    default = ROOT / ".annex-data"
    existed = default.exists()
    yield
    assert default.exists() == existed
