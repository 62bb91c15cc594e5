"""`meta` documents on users and channels (SPEC "Meta documents").

PATCH replaces the whole document (nested objects are replaced, never deep-merged); POST …/meta
merges top-level keys. Keys starting with ``_`` are Annex's own: clients cannot write them (the
models refuse them) and a replace keeps the ones already there. Serialized size at most 8 KiB.
"""

from __future__ import annotations

from typing import Any, Protocol

from annex.core.meta import MAX_META_BYTES, serialized_size
from annex.errors import BadRequest
from annex.store import records
from annex.store.keys import Ref

META = "meta"


class Owner(Protocol):
    ref: Ref
    missing: str


def _fits(document: dict[str, Any]) -> dict[str, Any]:
    if serialized_size(document) > MAX_META_BYTES:
        raise BadRequest(f"meta would be larger than {MAX_META_BYTES} bytes serialized", code="meta_too_large")
    return document


def replaced(current: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return _fits(new | {k: v for k, v in current.items() if k.startswith("_")})


def merged(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    return _fits(current | patch)


def read(owner: Owner) -> tuple[dict[str, Any], int]:
    """The meta document and the owner's version."""
    record, version = records.get_versioned(owner.ref, owner.missing, maps=False)
    return record.get(META, {}), version


def replace(owner: Owner, new: dict[str, Any], expected: int | None = None) -> dict[str, Any]:
    """The record after its meta was replaced by ``new``."""
    change = lambda current: replaced(current, new)  # noqa: E731
    return records.with_maps(owner.ref, records.update_document(owner.ref, META, change, owner.missing, expected))


def merge(owner: Owner, patch: dict[str, Any], expected: int | None = None) -> dict[str, Any]:
    """The meta after ``patch``'s top-level keys were merged into it."""
    change = lambda current: merged(current, patch)  # noqa: E731
    record = records.update_document(owner.ref, META, change, owner.missing, expected)
    document: dict[str, Any] = record[META]
    return document
