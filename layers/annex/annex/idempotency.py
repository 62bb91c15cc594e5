"""`Idempotency-Key` on POST, PUT and PATCH, on the Powertools idempotency utility.

Records live in the single table, in the application's own partition (``{app}#IDEMPOTENCY``, the
sort key a hash of method, path and key), and expire through the table's TTL after 24 hours. A
retry with the same key and body answers the first response (status and body) and applies
nothing again; the same key with another body is 409; a request still running under the key
makes a concurrent one 409 too, so two concurrent first requests apply once. Throttling and
server errors are not remembered, so a retry can still succeed. An answer too large for one item
is kept compressed, or (past 300 KB even so) as its status only: a retry then gets 409
``idempotency_answer_not_kept``, never a second run.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from annex.errors import BadRequest, Conflict
from annex.store import keys
from annex.store.table import client, current

HEADER = "idempotency-key"
MAX_KEY_CHARS = 255
REMEMBER_SECONDS = 24 * 3600
METHODS = frozenset({"POST", "PUT", "PATCH"})
Handle = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class _NotRemembered(Exception):
    """An answer a retry should not get again (throttled, unavailable, failed)."""

    def __init__(self, response: dict[str, Any]):
        self.response = response


MAX_REMEMBERED_BYTES = 300_000  # a DynamoDB item is at most 400 KB


def _rememberable(response: dict[str, Any]) -> bool:
    """Throttling, server errors and 'changed concurrently, retry' must not stick to the key."""
    status = int(response.get("statusCode", 200))
    if status >= 500 or status == 429:
        return False
    return not (status == 409 and '"concurrent_update"' in (response.get("body") or ""))


def _size(value: dict[str, Any]) -> int:
    return len(json.dumps(value, default=str))


def _packed(response: dict[str, Any]) -> dict[str, Any]:
    """What the record keeps of an answer: itself, or its body compressed when it is too large for
    one item; past even that, only its status (the request is never run twice either way)."""
    if _size(response) <= MAX_REMEMBERED_BYTES:
        return response
    body = base64.b64encode(zlib.compress(str(response.get("body") or "").encode("utf-8", "surrogatepass")))
    packed = response | {"body": body.decode("ascii"), PACKED: "zlib"}
    if _size(packed) <= MAX_REMEMBERED_BYTES:
        return packed
    return {"statusCode": response.get("statusCode", 200), PACKED: "dropped"}


def _unpacked(stored: dict[str, Any]) -> dict[str, Any]:
    """The answer a retry gets from what the record kept."""
    packing = stored.get(PACKED)
    if packing is None:
        return stored
    if packing == "zlib":
        body = zlib.decompress(base64.b64decode(stored["body"])).decode("utf-8", "surrogatepass")
        return {k: v for k, v in stored.items() if k != PACKED} | {"body": body}
    raise Conflict(
        f"The first request with this Idempotency-Key succeeded ({stored['statusCode']}) but its answer was too "
        "large to keep: read the resource to see it",
        code="idempotency_answer_not_kept",
    )


PACKED = "annexPacked"


def _header(event: dict[str, Any]) -> str | None:
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == HEADER), None)


def run(handle: Handle, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    key = _header(event)
    app_id = ((event.get("requestContext") or {}).get("authorizer") or {}).get("app_id")
    if key is None or event.get("httpMethod") not in METHODS or not app_id:
        return handle(event, context)
    if not 1 <= len(key) <= MAX_KEY_CHARS:
        raise BadRequest(f"Idempotency-Key is 1 to {MAX_KEY_CHARS} characters", code="invalid_idempotency_key")
    # Imported here: requests without the header (most of them) do not pay for it at cold start.
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    persistence = DynamoDBPersistenceLayer(
        table_name=current().name,
        key_attr=keys.PK,
        sort_key_attr=keys.SK,
        static_pk_value=keys.idempotency_partition(str(app_id)),
        expiry_attr="expires_at",
        in_progress_expiry_attr="in_progress_expires_at",
        status_attr="idempotency_status",
        data_attr="idempotency_response",
        validation_key_attr="idempotency_body_hash",
        boto3_client=client(),
    )
    config = IdempotencyConfig(
        event_key_jmespath="[method, path, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=REMEMBER_SECONDS,
        hash_function="sha256",
        lambda_context=context,
    )

    first: list[dict[str, Any]] = []  # this request's own answer, when it is the one that ran

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def once(request: dict[str, Any]) -> dict[str, Any]:
        response = handle(event, context)
        if not _rememberable(response):
            raise _NotRemembered(response)  # Powertools drops the in-progress record: a retry runs again
        first.append(response)
        return _packed(response)

    request = {"method": event["httpMethod"], "path": event.get("path"), "key": key, "body": event.get("body") or ""}
    try:
        stored: dict[str, Any] = once(request=request)
        return first[0] if first else _unpacked(stored)
    except _NotRemembered as failed:
        return failed.response
    except IdempotencyValidationError:
        raise Conflict("This Idempotency-Key was used with another body", code="idempotency_key_reused") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict(
            "A request with this Idempotency-Key is still running; retry shortly", code="idempotency_in_progress"
        ) from None
