"""annex-admin migrate against moto: a table written by the previous layout (metadata and
metacounter as maps in the record's own item) is moved to one item per key, resumably."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from boto3.dynamodb.conditions import Key
from typer.testing import CliRunner

from admin import migrate
from admin.cli import app
from annex.core.keyvalue import CounterMode, WriteMode
from annex.domain import metadata as kv
from annex.domain.resources import ChannelRef, UserRef, list_channels, list_users
from annex.store import keys
from tests.conftest import TEST_TABLE

APP = "app-migrate"
runner = CliRunner()


def old_layout(table: Any, users: int, channels: int) -> None:
    """Items as the previous release wrote them: the maps inside the record's item."""
    with table.batch_writer() as batch:
        for n in range(users):
            ref = keys.user(APP, f"u{n:03d}")
            metadata = {"plan": "gold" if n % 10 == 0 else "free", "n": str(n)}
            batch.put_item(
                Item=ref.attributes()
                | {
                    "user_id": f"u{n:03d}",
                    "nickname": "",
                    "profile_url": "",
                    "metadata": metadata,
                    "meta": json.dumps({"score": n, "tags": ["vip"] if n in (7, 170) else []}),
                    "created_at": 1,
                    "version": 5,
                }
            )
        for n in range(channels):
            ref = keys.channel(APP, "group_channels", f"c{n:03d}")
            counters = {"unread": n, "big": 2**40} if n != 3 else {f"k{i}": i for i in range(100)}
            item = {"channel_url": f"c{n:03d}", "channel_type": "group_channels", "name": "", "data": "d" * 1000}
            batch.put_item(
                Item=ref.attributes()
                | item
                | {"metadata": {}, "metacounter": counters, "meta": "{}", "created_at": 1, "version": 7}
            )


def test_migrate_moves_every_record_resumably_and_a_rerun_changes_nothing(moto_table: Any, tmp_path: Path) -> None:
    old_layout(moto_table, users=230, channels=12)
    state = tmp_path / "state"
    pages: list[int] = []

    def stop_after_two(tally: migrate.Tally) -> None:
        pages.append(tally.scanned)
        if len(pages) == 2:
            raise KeyboardInterrupt

    with contextlib.suppress(KeyboardInterrupt):
        migrate.migrate(state, stop_after_two, page_size=50)
    assert state.exists(), "an interrupted run keeps its position"
    result = runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(state)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["migrated"] + pages[-1] == 242 and summary["already_current"] == 0
    assert not state.exists()

    again = json.loads(runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(state)]).stdout)
    assert again == {"scanned": 242, "migrated": 0, "already_current": 242}

    user = UserRef(APP, "u017")
    assert kv.read(user, kv.METADATA)[0] == {"plan": "free", "n": "17"}
    assert "metadata" not in moto_table.get_item(Key=user.ref.key)["Item"]
    gold, cursor = list_users(APP, 100, None, "plan", ["gold"])
    assert [u["user_id"] for u in gold] == [f"u{n:03d}" for n in range(0, 230, 10)] and cursor is None
    # meta written before its index: found from the entries the migration put
    vip, cursor = list_users(APP, 10, None, None, None, "meta['tags']:'vip'")
    assert [u["user_id"] for u in vip] == ["u007", "u170"] and cursor is None
    top, cursor = list_users(APP, 2, None, None, None, "meta['score'] >= 226")
    assert [u["user_id"] for u in top] == ["u226", "u227"] and cursor
    assert [u["user_id"] for u in list_users(APP, 10, cursor, None, None, "meta['score'] >= 226")[0]] == [
        "u228",
        "u229",
    ]
    full = ChannelRef(APP, "group_channels", "c003")
    assert kv.read(full, kv.METACOUNTER)[0] == {f"k{i}": i for i in range(100)}
    channel = ChannelRef(APP, "group_channels", "c005")
    after = kv.update_counters(channel, {"unread": 1}, CounterMode.INCREASE, WriteMode.UPDATE_ONE)
    assert after == {"unread": 6, "big": 2**40}
    found, _ = list_channels(APP, "group_channels", 20, None, None, None, "unread", {"gte": 6})
    assert [c["channel_url"] for c in found] == [f"c{n:03d}" for n in range(5, 12)]  # c005 is at 6 now


def test_make_run_brings_a_kept_table_up_to_date(aws_env: None) -> None:
    import boto3
    from moto import mock_aws

    from local.__main__ import ensure_table
    from local.template import Template, load

    template = Template(load())
    definition = template.table_definition()
    kept = [i for i in definition["GlobalSecondaryIndexes"] if i["IndexName"] in ("GSI1", "GSI2")]
    used = {"PK", "SK"} | {k["AttributeName"] for i in kept for k in i["KeySchema"]}
    attributes = [a for a in definition["AttributeDefinitions"] if a["AttributeName"] in used]
    older = dict(definition, GlobalSecondaryIndexes=kept, AttributeDefinitions=attributes)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="kept", **older)
        assert ensure_table(template, None, "us-east-1", "kept") is True  # type: ignore[arg-type]
        indexes = client.describe_table(TableName="kept")["Table"]["GlobalSecondaryIndexes"]
        assert sorted(i["IndexName"] for i in indexes) == ["GSI1", "GSI2", "GSI3", "GSI4"]
        assert ensure_table(template, None, "us-east-1", "kept") is False  # type: ignore[arg-type]


def test_migrate_moves_a_sessions_names_into_items_of_their_own(moto_table: Any, tmp_path: Path) -> None:
    """A session item as the previous release wrote it (screens, name sets, overflow counters and
    overflow items) reads the same after the migration, and takes new events in the new layout."""
    from annex.domain import tracking
    from annex.domain.sessions import view
    from annex.store import sessions

    sessions.create(APP, "old", {}, None)
    key = keys.session(APP, "old").key
    moto_table.update_item(
        Key=key,
        UpdateExpression="SET screens = :l, screen_set = :s, event_name_set = :e, screen_set_overflow = :o, "
        "screen_count = :c, event_count = :c",
        ExpressionAttributeValues={
            ":l": [f"s{i:03d}" for i in range(200)],
            ":s": {f"s{i:03d}" for i in range(200)},
            ":e": {"buy"},
            ":o": 2,
            ":c": 202,
        },
    )
    for name in ("s200", "s201"):
        moto_table.put_item(Item=keys.legacy_session_name(APP, "old", "screen_set", name).key | {"name": name})
    sessions.create(APP, "empty", {}, None)
    moto_table.update_item(
        Key=keys.session(APP, "empty").key, UpdateExpression="SET screens = :l", ExpressionAttributeValues={":l": []}
    )

    summary = json.loads(runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(tmp_path / "s")]).stdout)
    assert summary == {"scanned": 2, "migrated": 2, "already_current": 0}
    item = moto_table.get_item(Key=key)["Item"]
    assert not {"screens", "screen_set", "event_name_set", "screen_set_overflow"} & set(item)
    assert (item["screen_set_count"], item["event_name_set_count"], item["screens_kept"]) == (202, 1, 200)
    assert not moto_table.query(KeyConditionExpression=Key("PK").eq(f"{APP}#SESSIONNAMES#old"))["Items"]
    shown = view(sessions.get(APP, "old"), int(item["active_at"]), 3_600_000)
    assert shown["screens"] == [f"s{i:03d}" for i in range(200)] and shown["unique_screen_count"] == 202
    assert shown["event_names"] == ["buy"]
    assert view(sessions.get(APP, "empty"), 0, 3_600_000)["screens"] == []

    batch = [{"session_id": "old", "type": "screen", "name": n} for n in ("s005", "s201", "s202")]
    batch.append({"session_id": "old", "type": "track", "name": "buy"})
    assert tracking.ingest(APP, batch, 3_600_000, 86_400)["accepted"] == 4
    shown = view(sessions.get(APP, "old"), 0, 3_600_000)
    assert (shown["unique_screen_count"], shown["event_names"], len(shown["screens"])) == (203, ["buy"], 200)
    again = json.loads(runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(tmp_path / "s")]).stdout)
    assert again == {"scanned": 0, "migrated": 0, "already_current": 0}


def name_items_layout(table: Any, session_id: str, screens: list[str], kept: list[str], other: list[str]) -> None:
    """A session as the previous release wrote it: one ``NAME#`` item per distinct name (``kept``
    event names marked as such, ``other`` not), its screens item and the counts on its item."""
    from annex.store import sessions

    sessions.create(APP, session_id, {}, None)
    with table.batch_writer() as batch:
        for name in screens:
            ref = keys.session_name(APP, session_id, "screen_set", name)
            batch.put_item(Item=ref.key | {"set": "screen_set", "name": name, "kept": True})
        for name in kept + other:
            ref = keys.session_name(APP, session_id, "event_name_set", name)
            batch.put_item(
                Item=ref.key | {"set": "event_name_set", "name": name} | ({"kept": True} if name in kept else {})
            )
        batch.put_item(Item=keys.session_screens(APP, session_id, 0, "w").key | {"screens": screens[:200]})
    table.update_item(
        Key=keys.session(APP, session_id).key,
        UpdateExpression="SET screen_set_count = :s, event_name_set_count = :e, screens_kept = :k, first_screen = :f",
        ExpressionAttributeValues={
            ":s": len(screens),
            ":e": len(kept) + len(other),
            ":k": min(len(screens), 200),
            ":f": screens[0],
        },
    )


def test_migrate_moves_name_items_into_the_items_of_the_writes_resumably(moto_table: Any, tmp_path: Path) -> None:
    """Sessions of the previous layout (one item per name) show the same names after the
    migration, take events before it (the write reads the name items) and after it, and count
    each name once; an interrupted run goes on from where it stopped; the table is then marked."""
    from annex.domain import tracking
    from annex.domain.sessions import view
    from annex.store import sessions

    def shown(session_id: str) -> dict[str, Any]:
        return view(sessions.get(APP, session_id), 0, 3_600_000)

    screens = [f"s{i:03d}" for i in range(250)]
    kept, other = [f"e{i:03d}" for i in range(30, 230)], [f"e{i:03d}" for i in range(30)]
    name_items_layout(moto_table, "named", screens, kept, other)
    for n in range(4):
        name_items_layout(moto_table, f"few{n}", ["a", "b", "c"], ["buy"], [])
    before = shown("named")
    assert (before["unique_screen_count"], before["event_names"]) == (250, kept)
    batch = [{"session_id": "named", "type": "track", "name": n} for n in ("e005", "e100", "e999")]
    batch.append({"session_id": "named", "type": "screen", "name": "s001"})
    # before the migration: e005, e100 and s001 are known from their name items
    assert tracking.ingest(APP, batch, 3_600_000, 86_400)["accepted"] == 4
    assert not migrate.current()

    state, pages = tmp_path / "state", []

    def stop_after_one(tally: migrate.Tally) -> None:
        pages.append(tally.migrated)
        raise KeyboardInterrupt

    with contextlib.suppress(KeyboardInterrupt):
        migrate.migrate(state, stop_after_one, page_size=20)
    assert state.exists() and pages[0] < 5
    result = runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(state)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["migrated"] + pages[0] == 5 and not state.exists() and migrate.current()

    partition = moto_table.query(KeyConditionExpression=Key("PK").eq(keys.session(APP, "named").pk))["Items"]
    assert not [i for i in partition if str(i["SK"]).startswith("NAME#")]
    assert [i["SK"] for i in partition if str(i["SK"]).startswith("SEEN#-")] == ["SEEN#-0000"]
    item = next(i for i in partition if i["SK"] == "SESSION")
    assert (item["screen_set_count"], item["event_name_set_count"]) == (250, 231)
    assert sum(int(v) for k, v in item.items() if str(k).startswith("seen_")) == 481
    after = shown("named")
    assert (after["unique_screen_count"], after["event_names"], after["screens"]) == (250, kept, screens[:200])
    assert (shown("few3")["event_names"], shown("few3")["unique_screen_count"]) == (["buy"], 3)

    batch = [{"session_id": "named", "type": "track", "name": n} for n in ("e005", "e999", "e998")]
    batch += [{"session_id": "named", "type": "screen", "name": n} for n in ("s001", "s300")]
    assert tracking.ingest(APP, batch, 3_600_000, 86_400)["accepted"] == 5
    item = moto_table.get_item(Key=keys.session(APP, "named").key)["Item"]
    assert (item["screen_set_count"], item["event_name_set_count"]) == (251, 232)
    assert shown("named")["event_names"] == kept
    again = json.loads(runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(state)]).stdout)
    assert again == {"scanned": 0, "migrated": 0, "already_current": 0}
