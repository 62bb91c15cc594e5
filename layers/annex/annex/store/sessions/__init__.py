"""Sessions in the table: the session item, its list entries, its q index entries and its events.

Every change of a session that touches more than its own item is one ``TransactWriteItems``
(all-or-nothing), conditioned on what it read; see docs/data-model.md for the items and why. By
responsibility: ``items`` (the items and their reads), ``lifecycle`` (create, release, sweep),
``index`` (user_metadata and its q index entries, the many-leaves lock path), ``ingest`` (a batch's
events), ``listing`` (lists and q candidates), ``bulk`` (analytics' range reads). The store reports
what it found (``Ingested``, ``Released``); the domain decides what that means for the client.
"""

from annex.store.sessions.bulk import created_between, created_per_day
from annex.store.sessions.index import recover, set_metadata
from annex.store.sessions.ingest import Ingested, ingest
from annex.store.sessions.items import BASE, Path, batch_get, get, projection_of, stored
from annex.store.sessions.lifecycle import Released, create, keep_sweep_cursor, release, sweep, sweep_cursor
from annex.store.sessions.listing import (
    collect,
    events_page,
    index_range,
    newest_first,
    numbered_sessions,
    user_entries,
)

__all__ = [
    "BASE",
    "Ingested",
    "Path",
    "Released",
    "batch_get",
    "collect",
    "create",
    "created_between",
    "created_per_day",
    "events_page",
    "get",
    "index_range",
    "ingest",
    "keep_sweep_cursor",
    "newest_first",
    "numbered_sessions",
    "projection_of",
    "recover",
    "release",
    "set_metadata",
    "stored",
    "sweep",
    "sweep_cursor",
    "user_entries",
]
