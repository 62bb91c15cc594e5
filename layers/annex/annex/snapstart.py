"""Lambda SnapStart's runtime hooks (template.yaml publishes every Python function with SnapStart,
so a cold start is the restore of a snapshot taken after the function's init).

- Before the snapshot: create what the first request would otherwise build: the Tracer (the X-Ray
  SDK) and the function's DynamoDB handle (endpoint resolution, service model).
- At the end of init (the function's entry point built), freeze what init built and resume the
  garbage collector that ``annex/__init__.py`` paused in Lambda's init: what is frozen is left out
  of every later collection (the requests' full collections, with or without a snapshot).
- After a restore: reseed ``random``. Every container restored from one snapshot would otherwise
  draw the same numbers (the store's retry jitter); ``uuid4`` and ``secrets`` read the operating
  system's randomness and need nothing.

The hooks' library (``snapshot_restore_py``) ships with Lambda's managed Python runtimes; elsewhere
(tests, ``make run``, benchmarks) there is nothing to register.
"""

from __future__ import annotations

import gc
import os
import random
from collections.abc import Callable
from typing import Any


def dynamodb_handle() -> None:
    """Create the store's table handle (a before-snapshot hook of the functions that use DynamoDB)."""
    from annex.store.table import table

    table()


def end_init() -> None:
    """Init is over: in Lambda's, freeze what it built and resume the collector (``annex/__init__.py``
    paused it); elsewhere (tests, ``make run``, tools) nothing changes."""
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"):
        gc.freeze()
        gc.enable()


def register(*primes: Callable[[], Any]) -> bool:
    """Register ``primes`` to run before the snapshot, and the reseed after a restore; False
    outside Lambda's runtime (nothing registered)."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found,unused-ignore]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    for prime in primes:
        register_before_snapshot(prime)
    register_after_restore(random.seed)
    return True
