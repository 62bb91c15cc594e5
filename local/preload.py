"""What the local containers share before they start: imported once by the forkserver that forks
them (``local/gateway.py``), so a container starts by forking a process that has the libraries
and Annex's modules loaded instead of importing them again (about 1 s of CPU each on this kind of
machine, for every container of every function of every local server).

Only modules: nothing here reads the environment or creates a client. Each container applies the
gateway's environment of the moment it starts, then loads its function's handler module, as
``spawn`` did (a module missing here is only imported by the container that needs it).
"""

from __future__ import annotations

import importlib

MODULES = (
    "boto3",
    "botocore.client",
    "pydantic",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.utilities.batch",
    "annex.api",
    "annex.api.resource_routes",
    "annex.domain.resources",
    "annex.domain.messages",
    "annex.domain.sessions",
    "annex.domain.tracking",
    "annex.domain.analytics",
    "annex.domain.lifecycle",
    "annex.models.resources",
    "annex.models.messages",
    "annex.models.sessions",
    "annex.models.analytics",
)

for _name in MODULES:
    importlib.import_module(_name)
