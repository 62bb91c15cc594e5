"""The embedded DynamoDB-compatible engine: moto's DynamoDB served over HTTP on loopback.

moto evaluates a request in several Python steps, so two threads could interleave inside one
``UpdateItem``. Real DynamoDB applies each request to an item atomically; the engine gets the
same guarantee (and more) by serving one request at a time. Handlers still run concurrently,
so a read-modify-write in Annex's code would still lose updates here, as it would in AWS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server


class Engine:
    def __init__(self, host: str = "127.0.0.1", port: int = 8000):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per DynamoDB call
        dispatcher = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def serialized(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with lock:
                return list(dispatcher(environ, start_response))

        self.server: BaseWSGIServer = make_server(
            host, port, serialized, threaded=True, request_handler=MotoRequestHandler
        )
        self.thread = threading.Thread(target=self.server.serve_forever, name="dynamodb-engine", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def start(self) -> Engine:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
