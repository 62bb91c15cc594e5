"""The store's one cursor codec and one expression builder, without I/O."""

from __future__ import annotations

import base64

import pytest

from annex.errors import BadRequest
from annex.store import cursor
from annex.store.expression import Expression, if_exists


def _raw(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_cursor_round_trips_text_and_json() -> None:
    assert cursor.unpack(cursor.pack("0000000000001#é")) == "0000000000001#é"
    assert cursor.unpack_json(cursor.pack_json({"after": 7})) == {"after": 7}
    assert "=" not in cursor.pack_json({"after": 7})


@pytest.mark.parametrize(
    "forged",
    [
        "!!!",  # not base64
        _raw(b"\xff\xfe"),  # not UTF-8
        _raw(b"{not json"),
        _raw(b"[" * 5000),  # nested past the parser's depth
        _raw(b'{"PK": "\\ud800"}'),  # a lone surrogate no key can hold
    ],
)
def test_every_forged_cursor_is_invalid_cursor(forged: str) -> None:
    with pytest.raises(BadRequest) as caught:
        cursor.unpack_json(forged)
    assert caught.value.code == "invalid_cursor"


def test_a_request_names_each_attribute_once_and_only_the_placeholders_it_uses() -> None:
    ex = if_exists(expected=3)
    ex.v("unused")
    ex.sets.append(f"{ex.path('metadata', 'a key.with #odd:chars')} = {ex.v('x')}")
    ex.bump()
    request = ex.request()
    assert request["ExpressionAttributeNames"] == {
        "#e0": "PK",
        "#e1": "version",
        "#e2": "metadata",
        "#e3": "a key.with #odd:chars",
    }
    assert sorted(request["ExpressionAttributeValues"].values(), key=str) == [1, 3, "x"]
    assert request["ConditionExpression"] == "attribute_exists(#e0) AND #e1 = :e0"
    assert request["UpdateExpression"] == "SET #e2.#e3 = :e2 ADD #e1 :e3"


def test_an_expression_past_the_guard_does_not_fit() -> None:
    ex = Expression()
    ex.conditions += [f"contains({ex.n('v')}, {ex.v(i)})" for i in range(200)]
    assert not ex.fits()
