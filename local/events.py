"""Change events, locally: a stand-in for the stack's EventBridge bus.

`make run` with ANNEX_WEBHOOK_URL set points the changes function at this endpoint (the SDK's own
``AWS_ENDPOINT_URL_EVENTBRIDGE``), so the function publishes exactly as in AWS; each ``PutEvents``
request's events (at most 10) are POSTed to the webhook as one JSON list. A webhook that fails
fails the request, so the stream function reports the records and they are delivered again. Like
EventBridge, the bus refuses a request of more than 10 entries or 256 KB (``annex.domain.changes``).
"""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from annex.domain.changes import MAX_ENTRIES, MAX_REQUEST_BYTES, entry_size

BUS_NAME = "annex-local"
_JSON = "application/x-amz-json-1.1"


def deliver(webhook: str, entries: list[dict[str, Any]]) -> None:
    """POST the events of ``PutEvents`` entries to the webhook, as one JSON list."""
    events = [json.loads(entry["Detail"]) for entry in entries]
    request = urllib.request.Request(
        webhook, data=json.dumps(events).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


class EventBus:
    """An HTTP endpoint that answers EventBridge's ``PutEvents`` by delivering to a webhook."""

    def __init__(self, webhook: str, host: str = "127.0.0.1"):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.headers.get("X-Amz-Target") != "AWSEvents.PutEvents":
                    self._answer(400, {"__type": "UnknownOperationException", "message": "only PutEvents"})
                    return
                entries = body.get("Entries", [])
                size = sum(entry_size(e.get("DetailType", ""), e.get("Detail", "")) for e in entries)
                if not 0 < len(entries) <= MAX_ENTRIES or size > MAX_REQUEST_BYTES:
                    message = f"{len(entries)} entries of {size} bytes: at most {MAX_ENTRIES} and {MAX_REQUEST_BYTES}"
                    self._answer(400, {"__type": "ValidationException", "message": message})
                    return
                try:
                    deliver(webhook, entries)
                except OSError as err:  # the webhook is down or refused: the function retries the records
                    self._answer(500, {"__type": "InternalException", "message": f"webhook: {err}"})
                    return
                self._answer(200, {"FailedEntryCount": 0, "Entries": [{"EventId": str(uuid.uuid4())} for _ in entries]})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", _JSON)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.endpoint = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="event-bus", daemon=True)

    def start(self) -> EventBus:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
