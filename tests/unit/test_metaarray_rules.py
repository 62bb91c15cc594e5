"""sorted_metaarray rules without I/O: what each operation plans from the state read."""

from __future__ import annotations

import pytest

from annex.core.metaarray import Entry, check_key
from annex.domain import metaarray
from annex.errors import BadRequest, Conflict

STATE = {"design": Entry(0, ("A", "B")), "likes": Entry(1, ("bob",))}


def test_public_form_keeps_the_order_keys_were_added() -> None:
    state = {"z": Entry(0, ("1",)), "a": Entry(2, ()), "m": Entry(1, ("x", "y"))}
    assert metaarray.public(state) == [
        {"key": "z", "value": ["1"]},
        {"key": "m", "value": ["x", "y"]},
        {"key": "a", "value": []},
    ]


def test_initial_state_drops_repeated_values_keeping_the_first() -> None:
    assert metaarray.initial([("k", ["b", "a", "b"]), ("j", [])]) == {"k": Entry(0, ("b", "a")), "j": Entry(1, ())}


def test_create_keys_appends_after_the_last_key_and_refuses_an_existing_one() -> None:
    plan = metaarray.create_keys(STATE, [("new", ["x", "x"]), ("other", [])])
    after = plan.after(STATE)
    assert [e["key"] for e in metaarray.public(after)] == ["design", "likes", "new", "other"]
    assert after["new"] == Entry(2, ("x",))
    assert plan.index_puts() == [("new", "x")] and plan.index_deletes() == []
    with pytest.raises(Conflict) as err:
        metaarray.create_keys(STATE, [("fresh", ["x"]), ("likes", ["y"])])
    assert err.value.code == "key_exists"


def test_add_values_appends_only_missing_ones_in_request_order() -> None:
    plan = metaarray.add_values(STATE, [("design", ["C", "A", "D", "C"])], upsert=False)
    (change,) = plan.changes
    assert change.added == ["C", "D"] and change.present == ["A"]
    assert plan.after(STATE)["design"] == Entry(0, ("A", "B", "C", "D"))
    assert plan.index_puts() == [("design", "C"), ("design", "D")]


def test_add_values_to_a_missing_key_needs_upsert() -> None:
    without = metaarray.add_values(STATE, [("tags", ["t"])], upsert=False)
    assert not without.effective and without.absent == ["tags"]
    with_upsert = metaarray.add_values(STATE, [("tags", ["t"])], upsert=True)
    assert with_upsert.after(STATE)["tags"] == Entry(2, ("t",))


def test_adding_only_present_values_changes_nothing() -> None:
    assert not metaarray.add_values(STATE, [("design", ["B", "A"])], upsert=False).effective


def test_remove_values_pins_their_positions_and_keeps_the_key() -> None:
    plan = metaarray.remove_values(STATE, [("design", ["A", "nope"]), ("ghost", ["x"])])
    (change,) = plan.changes
    assert change.removed == [0]
    assert plan.after(STATE)["design"] == Entry(0, ("B",))
    assert plan.index_deletes() == [("design", "A")] and plan.absent == ["ghost"]
    emptied = metaarray.remove_values(STATE, [("likes", ["bob"])]).after(STATE)
    assert emptied["likes"] == Entry(1, ())


def test_delete_keys_removes_present_keys_and_their_entries() -> None:
    plan = metaarray.delete_keys(STATE, ["design", "ghost", "design"])
    assert "design" not in plan.after(STATE)
    assert plan.index_deletes() == [("design", "A"), ("design", "B")]


def test_limits_of_20_keys_and_100_values_per_key() -> None:
    full = {f"k{i}": Entry(i, ()) for i in range(20)}
    with pytest.raises(BadRequest) as err:
        metaarray.create_keys(full, [("one-more", [])])
    assert err.value.code == "too_many_keys"
    with pytest.raises(BadRequest):
        metaarray.add_values(full, [("one-more", ["x"])], upsert=True)
    assert not metaarray.add_values(full, [("one-more", ["x"])], upsert=False).effective  # ignored, no room needed
    almost = {"k": Entry(0, tuple(str(i) for i in range(99)))}
    assert metaarray.add_values(almost, [("k", ["99", "0"])], upsert=False).after(almost)["k"].values[-1] == "99"
    with pytest.raises(BadRequest) as err:
        metaarray.add_values(almost, [("k", ["99", "100"])], upsert=False)
    assert err.value.code == "too_many_values"


@pytest.mark.parametrize("key", ["", "a,b", "é" * 41, "k" * 81])
def test_bad_keys(key: str) -> None:
    with pytest.raises(BadRequest):
        check_key(key)


def test_a_key_of_80_bytes_is_fine() -> None:
    assert check_key("é" * 40) == "é" * 40
