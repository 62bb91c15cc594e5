"""Lambda SnapStart's runtime hooks (template.yaml publishes every Python function with SnapStart,
so a cold start is the restore of a snapshot taken after the function's init).

- Before the snapshot: create the function's DynamoDB handle, so that a restored container does
  not build it (endpoint resolution, service model) on its first request.
- After a restore: reseed ``random``. Every container restored from one snapshot would otherwise
  draw the same numbers (the store's retry jitter); ``uuid4`` and ``secrets`` read the operating
  system's randomness and need nothing.

The hooks' library (``snapshot_restore_py``) ships with Lambda's managed Python runtimes; elsewhere
(tests, ``make run``, benchmarks) there is nothing to register.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any


def _prime_dynamodb() -> None:
    from annex.store.table import table

    table()


def register(*, dynamodb: bool) -> bool:
    """Register the hooks (``dynamodb``: the function talks to DynamoDB); False outside Lambda."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found,unused-ignore]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    hooks: list[tuple[Callable[..., Any], Callable[[], Any]]] = [(register_after_restore, random.seed)]
    if dynamodb:
        hooks.append((register_before_snapshot, _prime_dynamodb))
    for register_hook, hook in hooks:
        register_hook(hook)
    return True
