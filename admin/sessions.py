"""annex-admin's session step beyond the API's: finishing a create that stopped half-way."""

from __future__ import annotations

from typing import Any

from annex.store import keys
from annex.store.sessions.index import fits_one_transaction, set_metadata
from annex.store.sessions.items import read


def finish_create(app_id: str, session_id: str, fields: dict[str, Any], user_metadata: Any) -> bool:
    """Finish a ``create`` of an existing session that stopped between its two steps: a
    ``user_metadata`` with more index entries than its transaction holds is stored by the lock
    protocol after the session exists, so a process that died in between left the session without
    it. Stores it then (True); otherwise changes nothing (False, and no read when it always fits)."""
    if user_metadata is None or fits_one_transaction(fields.get("user_id"), user_metadata):
        return False
    item = read(keys.session(app_id, session_id).key)
    if item is None or "user_metadata" in item:
        return False
    set_metadata(app_id, session_id, user_metadata, None)
    return True
