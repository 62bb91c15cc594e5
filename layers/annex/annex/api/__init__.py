"""What every endpoint-group function shares: the resolver, auth context, limits and error mapping.

Handlers in ``functions/`` only parse (pydantic models via Powertools validation), call the
domain and answer; every error becomes the SPEC body ``{"error": true, "code", "message"}`` here.

``annex.api.params`` holds the query parameter types several groups declare, ``annex.api.filters``
the ``filters``/``group_by`` parameters, and ``annex.api.resource_routes`` the metadata and meta
routes users and channels share; each is imported by the functions that need it (the events
function, the hot path, loads none of them).
"""

from annex.api.body import MAX_BODY_BYTES, strict_json
from annex.api.exchange import csv, error_response, if_match, key_list, tagged, tenant
from annex.api.resolver import Resolver, create_app, lambda_handler

__all__ = [
    "MAX_BODY_BYTES",
    "Resolver",
    "create_app",
    "csv",
    "error_response",
    "if_match",
    "key_list",
    "lambda_handler",
    "strict_json",
    "tagged",
    "tenant",
]
