"""Random sequences of metadata and metacounter operations over HTTP, checked against a plain-Python
model after every step (hypothesis RuleBasedStateMachine). `make fuzz` runs it much longer."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.conftest import Api

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
KEYS = st.sampled_from(["a", "b", "c", "d", "ü-long-" + "x" * 100])
VALUES = st.text(max_size=190)
COUNTS = st.integers(-5, 5) | st.sampled_from([INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1])
MODES = st.sampled_from(["set", "increase", "decrease"])


class MetadataModel(RuleBasedStateMachine):
    base_url: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.api = Api(self.base_url)
        self.user = f"/users/sm-{uuid.uuid4().hex[:10]}"
        self.channel = f"/group_channels/sm-{uuid.uuid4().hex[:10]}"
        assert self.api.post("/users", {"user_id": self.user.rsplit("/", 1)[1]}).status_code == 201
        assert self.api.post("/group_channels", {"channel_url": self.channel.rsplit("/", 1)[1]}).status_code == 201
        self.metadata: dict[str, str] = {}
        self.counters: dict[str, int] = {}

    # Key/value metadata

    @rule(items=st.dictionaries(KEYS, VALUES, min_size=1, max_size=3))
    def create_metadata(self, items: dict[str, str]) -> None:
        response = self.api.post(f"{self.user}/metadata", {"metadata": items})
        if any(k in self.metadata for k in items):
            assert response.status_code == 409, response.text
        else:
            assert response.status_code == 200 and response.json() == items, response.text
            self.metadata |= items

    @rule(items=st.dictionaries(KEYS, VALUES, min_size=1, max_size=3), upsert=st.booleans())
    def update_metadata(self, items: dict[str, str], upsert: bool) -> None:
        response = self.api.put(f"{self.user}/metadata", {"metadata": items, "upsert": upsert})
        expected = {k: v for k, v in items.items() if upsert or k in self.metadata}
        assert response.status_code == 200 and response.json() == expected, response.text
        self.metadata |= expected

    @rule(key=KEYS, value=VALUES, upsert=st.booleans())
    def put_metadata_key(self, key: str, value: str, upsert: bool) -> None:
        response = self.api.put(f"{self.user}/metadata/{_quote(key)}", {"value": value, "upsert": upsert})
        if key in self.metadata or upsert:
            assert response.status_code == 200 and response.json() == {key: value}, response.text
            self.metadata[key] = value
        else:
            assert response.status_code == 404, response.text

    @rule(key=KEYS)
    def delete_metadata_key(self, key: str) -> None:
        response = self.api.delete(f"{self.user}/metadata/{_quote(key)}")
        assert response.status_code == (200 if self.metadata.pop(key, None) is not None else 404), response.text

    @rule()
    def delete_all_metadata(self) -> None:
        assert self.api.delete(f"{self.user}/metadata").status_code == 200
        self.metadata.clear()

    # Metacounters

    @rule(items=st.dictionaries(KEYS, COUNTS, min_size=1, max_size=3))
    def create_counters(self, items: dict[str, int]) -> None:
        response = self.api.post(f"{self.channel}/metacounter", {"metacounter": items})
        if any(k in self.counters for k in items):
            assert response.status_code == 409, response.text
        else:
            assert response.status_code == 200, response.text
            self.counters |= items

    @rule(items=st.dictionaries(KEYS, COUNTS, min_size=1, max_size=3), mode=MODES, upsert=st.booleans())
    def update_counters(self, items: dict[str, int], mode: str, upsert: bool) -> None:
        response = self.api.put(f"{self.channel}/metacounter", {"metacounter": items, "mode": mode, "upsert": upsert})
        self._expect_counters(response, items, mode, upsert, single=False)

    @rule(key=KEYS, value=COUNTS, mode=MODES, upsert=st.booleans())
    def update_counter_key(self, key: str, value: int, mode: str, upsert: bool) -> None:
        body = {"value": value, "mode": mode, "upsert": upsert}
        response = self.api.put(f"{self.channel}/metacounter/{_quote(key)}", body)
        self._expect_counters(response, {key: value}, mode, upsert, single=True)

    def _expect_counters(self, response: Any, items: dict[str, int], mode: str, upsert: bool, single: bool) -> None:
        after = dict(self.counters)
        for key, value in items.items():
            if key not in self.counters and not upsert:
                continue
            old = self.counters.get(key, 0)
            after[key] = value if mode == "set" else old + (value if mode == "increase" else -value)
        applied = [k for k in items if k in self.counters or upsert]
        if mode == "decrease" and INT64_MIN in items.values():
            assert response.status_code == 400, response.text  # -(-2**63) is no int64: refused as input
        elif single and not applied:
            assert response.status_code == 404, response.text
        elif any(not INT64_MIN <= after[k] <= INT64_MAX for k in applied):
            assert response.status_code == 400, response.text
        else:
            assert response.status_code == 200 and response.json() == after, response.text
            self.counters = after

    @rule(key=KEYS)
    def delete_counter_key(self, key: str) -> None:
        response = self.api.delete(f"{self.channel}/metacounter/{_quote(key)}")
        assert response.status_code == (200 if self.counters.pop(key, None) is not None else 404), response.text

    @invariant()
    def stored_state_equals_the_model(self) -> None:
        assert self.api.get(f"{self.user}/metadata").json() == self.metadata
        assert self.api.get(f"{self.channel}/metacounter").json() == self.counters


def _quote(key: str) -> str:
    from urllib.parse import quote

    return quote(key, safe="")


def test_metadata_and_counters_match_a_model(server: str) -> None:
    MetadataModel.base_url = server
    run_state_machine_as_test(MetadataModel)
