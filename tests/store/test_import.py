"""annex-admin import against moto: counts and rejects by line, resuming after an interruption
exactly once, the imported data as the API reads it, and clean errors for operator mistakes."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from admin.cli import app
from annex.domain.resources import new_user
from annex.models.resources import UserCreate
from annex.store import records, sessions
from annex.store import table as table_module
from annex.store.keys import PK, VERSION, Ref
from annex.store.sessions import lifecycle
from local.gateway import Containers, api_event
from local.template import Template, load
from tests.conftest import TEST_TABLE

runner = CliRunner()
T0 = 1_790_000_000_000  # the sessions' created_at: explicit, so two imports of a file write the same keys


def cli(*args: str) -> Any:
    return runner.invoke(app, ["--table", TEST_TABLE, *args])


def new_app(name: str = "import") -> str:
    result = cli("apps", "create", name)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["app_id"])


def run_import(path: Path, app_id: str) -> tuple[int, dict[str, Any], str]:
    """Exit code, the printed summary and stderr of one import."""
    result = cli("import", str(path), "--app", app_id)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout), result.stderr


def write(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def user(n: int, **extra: Any) -> dict[str, Any]:
    return {"type": "user", "user_id": f"u{n}", "nickname": f"User {n}", "metadata": {"plan": "pro"}} | extra


def channel(n: int, **extra: Any) -> dict[str, Any]:
    kind = ("open_channels", "group_channels")[n % 2]
    return {"type": "channel", "channel_type": kind, "channel_url": f"c{n}", "metacounter": {"unread": n}} | extra


def session(n: int, user_n: int, **extra: Any) -> dict[str, Any]:
    metadata = {"plan": ("free", "pro")[n % 2], "age": 20 + n % 40, "tags": ["beta"]}
    return {
        "type": "session",
        "session_id": f"s{n}",
        "user_id": f"u{user_n}",
        "user_metadata": metadata,
        "device": {"model": "Pixel 8", "platform": "android"},
        "created_at": T0 + n,
    } | extra


# Bad lines, each with what its reported reason must say.
BAD: list[tuple[str, str]] = [
    ('{"type": "user", "user_id": ', "bad JSON: Expecting value"),
    ("[1, 2, 3]", "not a JSON object"),
    ('{"type": "bot", "user_id": "x"}', 'unknown type "bot"'),
    ('{"user_id": "x"}', "no type"),
    ('{"type": "user", "user_id": "x", "metadata": {"a,b": "v"}}', "a key must not contain a comma"),
    ('{"type": "user", "user_id": "x", "meta": {"_own": 1}}', "written only by Annex"),
    ('{"type": "user", "user_id": ""}', "failed validation: user_id"),
    ('{"type": "channel", "channel_type": "group_channels"}', "failed validation: channel_url: Field required"),
    ('{"type": "channel", "channel_type": "dm", "channel_url": "x"}', "failed validation: channel_type"),
    (
        '{"type": "channel", "channel_type": "open_channels", "channel_url": "x", "metacounter": {"n": 1.5}}',
        "metacounter.n",
    ),
    ('{"type": "session", "user_id": "u1"}', "failed validation: session_id: Field required"),
    ('{"type": "session", "session_id": "x", "user_metadata": "' + "x" * 600 + '"}', "at most 512 characters"),
    ('{"type": "session", "session_id": "x", "created_at": 99999999999999}', "created_at is in the future"),
    ('{"type": "user", "user_id": "x", "surprise": 1}', "surprise: Extra inputs are not permitted"),
    ('{"type": "user", "user_id": "x", "n": NaN}', "bad JSON: NaN is not a JSON number"),
]


@pytest.fixture
def five_thousand(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    """5,000 lines: 3,290 users (10 of them twice), 1,200 channels, 300 sessions (100 users x 3,
    in order) and 200 bad lines, shuffled; and the reason due for each bad line, by line number."""
    records_: list[Any] = [user(n) for n in range(3290)] + [user(n) for n in range(10)]
    records_ += [channel(n, metadata={"topic": "t"}, meta={"pinned": n}) for n in range(1200)]
    bad = [BAD[n % len(BAD)] for n in range(200)]
    lines: list[Any] = records_ + [line for line, _ in bad]
    random.Random(8).shuffle(lines)
    # sessions keep their file order (they are numbered per user in that order), spread in between
    for n in range(300):
        lines.insert(n * 15, session(n, n % 100))
    assert len(lines) == 5000
    expected = {}
    reasons = dict(bad)
    for number, line in enumerate(lines, 1):
        if isinstance(line, str):
            expected[number] = reasons[line]
    return write(tmp_path / "five-thousand.jsonl", lines), expected


def test_5000_lines_import_with_each_bad_line_rejected_by_number(moto_table: Any, five_thousand: Any) -> None:
    path, expected = five_thousand
    app_id = new_app()
    code, summary, stderr = run_import(path, app_id)
    assert code == 1, "an import with rejected lines exits 1"
    assert summary == {
        "app_id": app_id,
        "file": str(path),
        "complete": True,
        "lines": 5000,
        "imported": {"user": 3290, "channel": 1200, "session": 300},
        "skipped": {"user": 10, "channel": 0, "session": 0},  # a user named twice is there the second time
        "rejected": 200,
    }
    reported: dict[int, str] = {}
    for text in stderr.splitlines():
        if text.startswith("line "):
            at, reason = text.removeprefix("line ").split(": ", 1)
            reported[int(at)] = reason
    assert sorted(reported) == sorted(expected)
    for number, reason in reported.items():
        assert expected[number] in reason, (number, reason)
    users = moto_table.query(
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :p",
        ExpressionAttributeValues={":p": f"{app_id}#USERS"},
        Select="COUNT",
    )
    assert users["Count"] == 3290


def _state(table: Any, app_id: str) -> list[str]:
    """The application's data items (not its own record and token), with the application id taken
    out and versions left out."""
    found, kwargs = [], {"FilterExpression": Attr(PK).begins_with(f"{app_id}#") & Attr(PK).ne(f"{app_id}#APP")}
    while True:
        page = table.scan(**kwargs)
        found += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(
        json.dumps({k: v for k, v in item.items() if k != VERSION}, default=str, sort_keys=True).replace(app_id, "APP")
        for item in found
    )


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Users, channels and sessions (a few users with several), every created_at given."""
    lines: list[Any] = []
    for n in range(120):
        lines.append(user(n, created_at=T0, meta={"n": n}))
        if n % 5 == 0:
            lines.append(channel(n, created_at=T0))
        lines.append(session(n, n % 30))
    return write(tmp_path / "mixed.jsonl", lines)


class Interrupt:
    """An after-call hook: the ``at``-th TransactWriteItems is applied, then the process "dies"
    (KeyboardInterrupt, as Ctrl-C), before the importer hears of it."""

    def __init__(self, at: int):
        self.at, self.calls = at, 0

    def __call__(self, **_: Any) -> None:
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt


@pytest.fixture
def hooks(moto_table: Any) -> Iterator[Any]:
    """Register botocore hooks on the store's clients of the test table: the ones the CLI's
    commands use when pointed at the same table."""
    emitters = [table_module.table().meta.client.meta.events, table_module.client().meta.events]
    registered: list[tuple[str, Any]] = []

    def register(event: str, hook: Any) -> None:
        for events in emitters:
            events.register_first(event, hook)
        registered.append((event, hook))

    yield register
    for event, hook in registered:
        for events in emitters:
            events.unregister(event, hook)


def test_an_interrupted_import_resumes_and_writes_everything_exactly_once(
    moto_table: Any, mixed: Path, hooks: Any
) -> None:
    clean, resumed = new_app("clean"), new_app("resumed")
    assert run_import(mixed, clean)[0] == 0
    interrupt = Interrupt(at=60)  # a session's transaction, well into the file
    hooks("after-call.dynamodb.TransactWriteItems", interrupt)
    result = cli("import", str(mixed), "--app", resumed)
    assert result.exit_code == 130 and "rerun the same command to resume" in result.stderr
    first = json.loads(result.stdout)
    assert first["complete"] is False and 0 < sum(first["imported"].values()) < 264
    interrupt.at = 0  # the process is gone; the operator reruns the same command
    code, second, _ = run_import(mixed, resumed)
    assert code == 0 and second["complete"] is True and second["rejected"] == 0
    for kind, total in {"user": 120, "channel": 24, "session": 120}.items():
        assert second["imported"][kind] + second["skipped"][kind] == total
        assert first["imported"][kind] <= second["skipped"][kind]  # all the first run did is skipped
    assert second["skipped"]["session"] == first["imported"]["session"] + 1, "the interrupted one landed"
    # exactly once: the same items as one uninterrupted import (session numbers, list and q entries)
    assert _state(moto_table, resumed) == _state(moto_table, clean)
    code, third, _ = run_import(mixed, resumed)
    assert third["imported"] == {"user": 0, "channel": 0, "session": 0}
    assert third["skipped"] == {"user": 120, "channel": 24, "session": 120}


def test_a_truncated_file_then_the_whole_one_imports_each_record_once(
    moto_table: Any, mixed: Path, tmp_path: Path
) -> None:
    clean, resumed = new_app("clean"), new_app("resumed")
    assert run_import(mixed, clean)[0] == 0
    data = mixed.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: len(data) * 2 // 5 + 7])  # ends inside a line
    code, first, stderr = run_import(cut, resumed)
    assert code == 1 and first["rejected"] == 1
    assert [text for text in stderr.splitlines() if text.startswith("line ")] == [
        f"line {len(cut.read_text().splitlines())}: bad JSON: Unterminated string starting at: column 18"
    ]
    code, second, _ = run_import(mixed, resumed)
    assert code == 0
    for kind, total in {"user": 120, "channel": 24, "session": 120}.items():
        assert second["skipped"][kind] == first["imported"][kind]
        assert second["imported"][kind] == total - first["imported"][kind]
    assert _state(moto_table, resumed) == _state(moto_table, clean)


def test_throttling_that_persists_stops_the_import_cleanly_and_a_rerun_finishes(
    moto_table: Any, mixed: Path, hooks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("admin.importer.time.sleep", lambda _: None)
    app_id = new_app()
    calls = {"n": 0}

    def throttle(**_: Any) -> None:
        calls["n"] += 1
        if calls["n"] > 30:
            error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
            raise ClientError(error, "TransactWriteItems")  # type: ignore[arg-type]

    hooks("before-call.dynamodb.TransactWriteItems", throttle)
    result = cli("import", str(mixed), "--app", app_id)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Stopped at line" in result.stderr and "Rerun the same command to resume" in result.stderr
    assert "ThrottlingException" in result.stderr
    assert json.loads(result.stdout)["complete"] is False
    calls["n"] = -(10**9)  # DynamoDB recovers
    code, summary, _ = run_import(mixed, app_id)
    assert code == 0
    assert {k: summary["imported"][k] + summary["skipped"][k] for k in summary["imported"]} == {
        "user": 120,
        "channel": 24,
        "session": 120,
    }


def test_a_session_whose_many_leaf_metadata_was_not_stored_is_finished_by_the_rerun(
    moto_table: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """user_metadata with more index entries than one transaction holds is stored after the session
    (the lock protocol); a run that stops in between leaves the session without it, and the rerun
    stores it."""
    app_id = new_app()
    many = {"tags": list(range(120))}
    path = write(tmp_path / "many.jsonl", [session(1, 1, user_metadata=many)])

    def die(*_: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(lifecycle, "set_metadata", die)  # the create's second step
    assert cli("import", str(path), "--app", app_id).exit_code == 130
    assert sessions.get(app_id, "s1")["user_metadata"] is None
    monkeypatch.undo()
    code, summary, _ = run_import(path, app_id)
    assert code == 0 and summary["skipped"]["session"] == 1
    assert sessions.get(app_id, "s1")["user_metadata"] == many
    found = call("SessionsFunction", app_id, "GET", "/sessions", query={"q": "user_metadata['tags']:119"})
    assert [s["id"] for s in found["data"]] == ["s1"]


TEMPLATE = Template(load())
HANDLERS: dict[str, Containers] = {}


def call(
    function: str, app_id: str, method: str, path: str, body: Any = None, query: dict[str, str] | None = None
) -> Any:
    """One API request through the function's handler, in process (the route matched from template.yaml)."""
    route = next(
        r
        for r in TEMPLATE.routes()
        if r.function.logical_id == function and r.method == method and _matches(r.path, path)
    )
    event = api_event(method, route.path, path, app_id, body, query)
    handler = HANDLERS.setdefault(function, Containers(route.function))
    response = handler.invoke(event)
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])


def _matches(template: str, path: str) -> bool:
    parts, wanted = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(wanted) and all(p == w or p.startswith("{") for p, w in zip(parts, wanted, strict=True))


def test_imported_records_read_back_through_the_api(moto_table: Any, tmp_path: Path) -> None:
    app_id = new_app()
    lines = [
        user(1, metadata={f"k{n}": f"v{n}" for n in range(12)} | {"plan": "pro"}, meta={"score": 12}),
        user(2, metadata={"plan": "free"}, created_at=T0),
        channel(1, metadata={"topic": "news"}, meta={"pinned": True}, metacounter={"unread": 3, "mentions": 1}),
        session(1, 1, created_at=T0 + 1),
        session(2, 2, created_at=T0 + 2),
        session(3, 1, created_at=T0 + 3),
    ]
    code, summary, _ = run_import(write(tmp_path / "small.jsonl", lines), app_id)
    assert code == 0 and summary["imported"] == {"user": 2, "channel": 1, "session": 3}

    alice = call("UsersFunction", app_id, "GET", "/users/u1")
    assert alice["nickname"] == "User 1" and alice["meta"] == {"score": 12}
    assert alice["metadata"] == {f"k{n}": f"v{n}" for n in range(12)} | {"plan": "pro"}  # 13 keys: more than 5
    assert call("UsersFunction", app_id, "GET", "/users/u2")["created_at"] == T0
    listed = call("UsersFunction", app_id, "GET", "/users", query={"metadatakey": "plan", "metadatavalues_in": "pro"})
    assert [u["user_id"] for u in listed["data"]] == ["u1"]

    c = "/group_channels/c1"
    assert call("ChannelsFunction", app_id, "GET", f"{c}/metacounter") == {"unread": 3, "mentions": 1}
    assert call("ChannelsFunction", app_id, "GET", f"{c}/metadata") == {"topic": "news"}
    assert call("ChannelsFunction", app_id, "GET", f"{c}/meta") == {"pinned": True}
    increased = call("ChannelsFunction", app_id, "PUT", f"{c}/metacounter/unread", {"value": 2, "mode": "increase"})
    assert increased == {"unread": 5, "mentions": 1}

    pro = call("SessionsFunction", app_id, "GET", "/sessions", query={"q": "user_metadata['plan']:'pro'"})
    assert [s["id"] for s in pro["data"]] == ["s3", "s1"]
    older = call("SessionsFunction", app_id, "GET", "/sessions", query={"q": "user_metadata['age']>=22"})
    assert [s["id"] for s in older["data"]] == ["s3", "s2"]  # newest first, by the imported created_at
    mine = call("SessionsFunction", app_id, "GET", "/users/u1/sessions")["data"]
    assert [(s["id"], s["session_number"], s["created_at"]) for s in mine] == [("s3", 2, T0 + 3), ("s1", 1, T0 + 1)]
    assert mine[0]["device"]["model"] == "Pixel 8" and mine[0]["status"] == "TIMED_OUT"  # long idle


def test_records_already_there_are_skipped_and_left_as_they_are(moto_table: Any, tmp_path: Path) -> None:
    app_id = new_app()
    ref, fields = new_user(app_id, UserCreate(user_id="u1", nickname="Kept"))
    assert records.create_many([(ref, fields)]) == [True]
    code, summary, _ = run_import(write(tmp_path / "one.jsonl", [user(1), user(2)]), app_id)
    assert code == 0 and summary["imported"]["user"] == 1 and summary["skipped"]["user"] == 1
    assert call("UsersFunction", app_id, "GET", "/users/u1")["nickname"] == "Kept"


def test_create_many_splits_transactions_by_count_size_and_repeated_keys(moto_table: Any) -> None:
    app_id = new_app()
    big = [(Ref(f"{app_id}#X#{n}", "X"), {"data": "d" * 60_000}) for n in range(130)]
    chunks = list(records._chunks([(n, [records.new_item(ref, f)]) for n, (ref, f) in enumerate(big)]))
    assert [len(c) for c in chunks] == [58, 58, 14]  # 3.5 MB a transaction, not 100 items of 60 KB
    many: list[tuple[Ref, dict[str, Any]]] = [(Ref(f"{app_id}#Y#{n}", "Y"), {}) for n in range(230)]
    chunks = list(records._chunks([(n, [records.new_item(ref, f)]) for n, (ref, f) in enumerate(many)]))
    assert [len(c) for c in chunks] == [100, 100, 30]
    again: list[tuple[Ref, dict[str, Any]]] = [(Ref(f"{app_id}#Z#{n % 7}", "Z"), {}) for n in range(10)]
    chunks = list(records._chunks([(n, [records.new_item(ref, f)]) for n, (ref, f) in enumerate(again)]))
    assert [len(c) for c in chunks] == [7, 3]  # a transaction cannot name an item twice
    assert records.create_many(again) == [True] * 7 + [False] * 3
    assert moto_table.get_item(Key={PK: f"{app_id}#Z#6", "SK": "Z"})["Item"][VERSION] > 0


def test_operator_mistakes_are_one_clear_line_not_a_traceback(moto_table: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "ok.jsonl", [user(1)])
    unknown = cli("import", str(path), "--app", "app_nope")
    assert unknown.exit_code == 1 and "Application not found: app_nope" in unknown.stderr
    missing = cli("import", str(tmp_path / "absent.jsonl"), "--app", new_app())
    assert missing.exit_code == 2 and "does not exist" in missing.output
    no_app = cli("import", str(path))
    assert no_app.exit_code == 2 and "--app" in no_app.output
    wrong_table = runner.invoke(app, ["--table", "no-such-table", "import", str(path), "--app", "a"])
    assert wrong_table.exit_code == 1 and "no table no-such-table" in wrong_table.stderr
    for result in (unknown, missing, no_app, wrong_table):
        assert "Traceback" not in result.output
