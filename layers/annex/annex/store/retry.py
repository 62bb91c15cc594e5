"""The one retry policy of the store: read → conditional write → on refusal, back off and read again.

Every optimistic write loop (a session, a message, a document, a map of keys, a batch of
records) follows the same rule:

- at most ``ATTEMPTS`` tries, then 409 ``concurrent_update`` (``gave_up``): only reached when
  concurrent writers keep changing what the write depends on;
- before every try but the first, a jittered sleep growing with the try (``attempts`` /
  ``backoff``), so contenders spread out instead of colliding again in step;
- a write that DynamoDB refused because its condition failed (``ConditionalCheckFailed``) or
  because a transaction was in progress on one of its items (``TransactionConflict``) was not
  applied: the loop reads again and retries (``raise_unless_retryable``; ``retryable_reason`` for
  a cancelled transaction's reasons). Any other error goes up to the caller (and its 4xx/5xx
  mapping in ``table.service_error``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from annex.errors import Conflict

ATTEMPTS = 20  # tries of one optimistic write before 409 concurrent_update
JITTER_S = 0.005  # the n-th retry sleeps uniformly up to n times this

# A ClientError code (single write) or a cancellation reason code (transaction) that says "not
# applied, not now": read again and retry.
RETRYABLE_CODES = frozenset({"ConditionalCheckFailedException", "TransactionConflictException"})
RETRYABLE_REASONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def backoff(attempt: int) -> None:
    """The jittered sleep before retry number ``attempt`` (1 for the first retry)."""
    time.sleep(random.uniform(0, JITTER_S * attempt))


def attempts(budget: int = ATTEMPTS) -> Iterator[int]:
    """Try numbers ``0 .. budget - 1``, backing off before every one but the first. A loop over it
    that ends without returning has used its budget: raise ``gave_up(...)``."""
    for attempt in range(budget):
        if attempt:
            backoff(attempt)
        yield attempt


def code_of(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def retryable(err: ClientError) -> bool:
    """Whether a write's error says it was not applied and may be tried again after a read."""
    return code_of(err) in RETRYABLE_CODES


def raise_unless_retryable(err: ClientError) -> None:
    """Re-raise ``err`` unless the write it answers was refused for a condition or a concurrent
    transaction (then the caller reads again and retries)."""
    if not retryable(err):
        raise err


def condition_failed(err: ClientError) -> bool:
    """For a refused conditional write that returns the item it found: True when its condition
    failed (inspect the item, then retry), False when a transaction held the item (just retry);
    any other error is re-raised."""
    raise_unless_retryable(err)
    return code_of(err) == "ConditionalCheckFailedException"


def retryable_reason(reason: dict[str, Any]) -> bool:
    """Whether one cancellation reason of a transaction says it may be sent again after a read."""
    return reason.get("Code") in RETRYABLE_REASONS


def gave_up(message: str) -> Conflict:
    """The 409 of a write whose every try met a concurrent change."""
    return Conflict(message, code="concurrent_update")
