"""Change events: every change to metadata, metacounter and meta reaches the webhook from the
table's stream (in AWS: the EventBridge bus) as {app_id, resource, id, field, before, after, at}."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.conftest import Api, Webhook, local_stack


def test_metadata_counter_and_meta_changes_are_published(api: Api, webhook: Webhook, user: str, channel: str) -> None:
    api.post(f"/users/{user}/metadata", {"metadata": {"tier": "free"}})
    api.put(f"/users/{user}/metadata/tier", {"value": "pro"})
    api.post(f"/users/{user}/meta", {"score": 3})
    api.post(f"{channel}/metacounter", {"metacounter": {"likes": 1}})
    api.put(f"{channel}/metacounter/likes", {"value": 2, "mode": "increase"})

    tier = webhook.wait_for(lambda e: e["id"] == user and e["field"] == "metadata.tier" and e["after"] == "pro")
    assert tier and tier[0]["before"] == "free" and tier[0]["resource"] == "user"
    assert tier[0]["app_id"] == "local" and isinstance(tier[0]["at"], int) and tier[0]["at"] > 0
    meta = webhook.wait_for(lambda e: e["id"] == user and e["field"] == "meta")
    assert meta and meta[-1]["after"] == {"score": 3}
    channel_id = channel.lstrip("/")
    likes = webhook.wait_for(lambda e: e["id"] == channel_id and e["field"] == "metacounter.likes" and e["after"] == 3)
    assert likes and likes[0]["before"] == 1 and likes[0]["resource"] == "channel"


def test_rejected_writes_publish_nothing(api: Api, webhook: Webhook, user: str) -> None:
    api.post(f"/users/{user}/metadata", {"metadata": {"k": "v"}})
    assert webhook.wait_for(lambda e: e["id"] == user and e["field"] == "metadata.k")
    assert api.post(f"/users/{user}/metadata", {"metadata": {"k": "other", "n": "x"}}).status_code == 409
    api.put(f"/users/{user}/metadata/marker", {"value": "m", "upsert": True})
    assert webhook.wait_for(lambda e: e["id"] == user and e["field"] == "metadata.marker")
    assert not [e for e in webhook.events if e["id"] == user and e["field"] == "metadata.n"]


def test_session_status_and_user_metadata_changes_are_published(api: Api, webhook: Webhook) -> None:
    sid = f"ce-{uuid.uuid4().hex[:12]}"
    api.post("/sessions", {"session_id": sid, "user_metadata": {"plan": "free"}})
    api("PATCH", f"/sessions/{sid}", {"user_metadata": {"plan": "pro"}})
    api.post("/events", {"batch": [{"session_id": sid, "type": "screen", "name": "home"}]})
    api.post(f"/sessions/{sid}", {"status": "REQUEST_RELEASE"})
    released = webhook.wait_for(lambda e: e["id"] == sid and e["field"] == "status" and e["after"] == "COMPLETED")
    assert released and released[0]["before"] == "RUNNING" and released[0]["resource"] == "session"
    plan = webhook.wait_for(
        lambda e: e["id"] == sid and e["field"] == "user_metadata" and e["after"] == {"plan": "pro"}
    )
    assert plan and plan[0]["before"] == {"plan": "free"}
    fields = [e["field"] for e in webhook.events if e["id"] == sid]
    assert fields.count("status") == 2  # created RUNNING, then COMPLETED: events publish nothing of their own


def test_sorted_metaarray_and_message_meta_changes_are_published(api: Api, webhook: Webhook, channel: str) -> None:
    sent = api.post(
        f"{channel}/messages",
        {"user_id": "u", "message": "m", "sorted_metaarray": [{"key": "likes", "value": ["bob"]}]},
    )
    message = f"{channel}/messages/{sent.json()['message_id']}"
    message_id = f"{channel.lstrip('/')}/{sent.json()['message_id']}"
    api.put(f"{message}/sorted_metaarray", {"sorted_metaarray": [{"key": "likes", "value": ["carol"]}]})
    api.post(f"{message}/meta", {"pinned": True})
    api.delete(f"{message}/sorted_metaarray?keys=likes")

    def mine(field: str) -> list[dict[str, Any]]:
        return [e for e in webhook.events if e["id"] == message_id and e["field"] == field]

    assert webhook.wait_for(
        lambda e: e["id"] == message_id and e["field"] == "sorted_metaarray.likes" and e["after"] is None
    )
    likes = [(e["before"], e["after"]) for e in mine("sorted_metaarray.likes")]
    assert likes == [(None, ["bob"]), (["bob"], ["bob", "carol"]), (["bob", "carol"], None)]
    assert webhook.wait_for(lambda e: e["id"] == message_id and e["field"] == "meta")
    assert [(e["before"], e["after"], e["resource"]) for e in mine("meta")] == [({}, {"pinned": True}, "message")]
    assert not [e for e in webhook.events if e["id"].startswith(message_id) and e["resource"] != "message"]


def test_a_message_whose_events_pass_256_kb_by_count_publishes_every_event(
    api: Api, webhook: Webhook, channel: str
) -> None:
    """20 sorted_metaarray keys of 100 non-ASCII values: ten events a request was ~380 KB (past
    EventBridge's 256 KB), refused at every retry, and the events lost."""
    arrays = [{"key": f"k{k:02d}", "value": [f"{i:03d}" + "é" * 62 for i in range(100)]} for k in range(20)]
    body = json.dumps({"user_id": "u", "message": "m", "sorted_metaarray": arrays}, ensure_ascii=False).encode()
    sent = api.session.post(f"{api.base}{channel}/messages", data=body, timeout=30)  # UTF-8: under 1 MiB
    assert sent.status_code == 201, sent.text
    message_id = f"{channel.lstrip('/')}/{sent.json()['message_id']}"
    assert webhook.wait_for(lambda e: e["id"] == message_id and e["field"] == "sorted_metaarray.k19")
    fields = {e["field"] for e in webhook.events if e["id"] == message_id}
    assert fields == {f"sorted_metaarray.k{k:02d}" for k in range(20)}


class Refusing(Webhook):
    """A receiver that answers 500 to its first ``failures`` deliveries holding an event of ``user``."""

    def __init__(self, user: str, failures: int) -> None:
        super().__init__()
        self.failures = failures
        receiver, keep = self, self.server.RequestHandlerClass

        class Flaky(keep):  # type: ignore[valid-type,misc]
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failures > 0 and any(e["id"] == user for e in json.loads(body)):
                    receiver.failures -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.events.extend(json.loads(body))
                self.send_response(204)
                self.end_headers()

        self.server.RequestHandlerClass = Flaky


def _metadata_k_of(user: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["id"] == user and e["field"] == "metadata.k"


def test_a_receiver_that_fails_some_deliveries_still_gets_every_event() -> None:
    """Writes of several users stream in one batch; the deliveries of one user's events fail six
    times (the function reports that record failed, the others done): they come again until taken."""
    users = [f"flaky-{n}-{uuid.uuid4().hex[:8]}" for n in range(8)]
    receiver = Refusing(users[3], failures=6)
    try:
        with local_stack("flaky-webhook", ANNEX_WEBHOOK_URL=receiver.url, ANNEX_DATA_DIR=":memory:") as stack:
            api = Api(stack.url)
            for user in users:
                assert api.post("/users", {"user_id": user}).status_code == 201

            def write(user: str) -> int:
                return int(Api(stack.url).put(f"/users/{user}/metadata/k", {"value": "v", "upsert": True}).status_code)

            with ThreadPoolExecutor(len(users)) as pool:
                assert list(pool.map(write, users)) == [200] * len(users)
            for user in users:
                assert receiver.wait_for(_metadata_k_of(user), timeout=60), user
            assert receiver.failures == 0
    finally:
        receiver.server.shutdown()
