"""Metrics and traces, the one mechanism every function uses: Powertools Metrics (CloudWatch EMF
lines in the function's log, namespace ``Annex``) and Tracer (X-Ray).

Dimensions stay cheap: a request's route and status class, an error's code, and the service.
Never the application id: per-application figures are in each request's log line
(``annex.api.resolver``). The figures (template.yaml's dashboard graphs them):

- ``Requests`` (route, status_class) and ``Errors`` (code): every API request, by the resolver;
- ``EventsAccepted``, ``EventsRejected``: tracking events of POST /events;
- ``SessionsOpened``: sessions created by POST /sessions or opened by POST /events (an event
  naming an unknown session opens it); ``SessionsTimedOut``: timed out by the sweeper;
- ``AnalyticsSessions``: sessions an analytics answer aggregates;
- ``TokensRejected``: unknown Api-Tokens the authorizer refused;
- ``ChangeEvents``: change events the changes function published;
- ``DynamoDBThrottles``: DynamoDB answers that said "throttled" (each attempt, retried or not);
- ``IndexLockWaits``: writes that found an item's index lock held and waited for it
  (``annex.store.lock``);
- ``ColdStart``: Powertools' own, once per container (per restore, with SnapStart).

Traces: the handler (``## lambda_handler``), the route's call into the domain (``## <METHOD>
<route>``) and every DynamoDB request (Tracer patches botocore) are subsegments. Neither the
event, its headers (the Api-Token) nor a response body is recorded: ``capture_response`` is off.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any, cast

from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from annex import snapstart

NAMESPACE = "Annex"
# Every figure ``count`` adds (template.yaml's dashboard graphs each: tests/infra checks it).
FIGURES = frozenset(
    {
        "EventsAccepted",
        "EventsRejected",
        "SessionsOpened",
        "SessionsTimedOut",
        "AnalyticsSessions",
        "TokensRejected",
        "ChangeEvents",
        "DynamoDBThrottles",
        "IndexLockWaits",
    }
)
THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})

metrics = Metrics(namespace=NAMESPACE)
# An invocation with no figure of its own (a GET that opened nothing) is normal, not worth a warning.
warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)


@functools.cache
def tracer() -> Tracer:
    """The function's Tracer, created once: before SnapStart's snapshot (``annex.snapstart``), else
    on the first invocation. Not at import: creating it loads the X-Ray SDK, about half the floor
    (import boto3 + one client) again, which a restored snapshot already holds."""
    return Tracer()


def count(name: str, value: int = 1) -> None:
    """Add ``value`` to the figure ``name`` (one of ``FIGURES``) of this invocation, flushed when
    the handler returns."""
    assert name in FIGURES, name
    if value:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def request(route: str, status: int, code: str | None = None) -> None:
    """One API request's figures: ``Requests`` by route and status class, ``Errors`` by code."""
    with single_metric(name="Requests", unit=MetricUnit.Count, value=1, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="route", value=route)
        metric.add_dimension(name="status_class", value=f"{status // 100}xx")
    if code is not None and status >= 400:
        with single_metric(name="Errors", unit=MetricUnit.Count, value=1, namespace=NAMESPACE) as metric:
            metric.add_dimension(name="code", value=code)


@contextlib.contextmanager
def segment(name: str) -> Iterator[None]:
    """A trace subsegment around a block (nothing when tracing is off, as outside Lambda)."""
    with tracer().provider.in_subsegment(f"## {name}"):
        yield


def _throttled(response: Any = None, **_: Any) -> None:
    if response is not None and response[1].get("Error", {}).get("Code") in THROTTLING_CODES:
        count("DynamoDBThrottles")


def watch_dynamodb() -> None:
    """Count DynamoDB's throttled answers: a hook on the default boto3 session, which every client
    the store creates afterwards inherits (registered once, whatever the calls)."""
    import boto3  # here: the console, which calls no AWS service, does not load it

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("needs-retry.dynamodb", _throttled, unique_id="annex-throttles")


def instrument[F: Callable[..., Any]](handler: F, *, dynamodb: bool = True) -> F:
    """A Lambda entry point traced (its response not recorded) whose figures are flushed when it
    returns, with SnapStart's hooks (``annex.snapstart``), ending the function's init; ``dynamodb``:
    the function talks to DynamoDB (count its throttles, create its handle before the snapshot)."""
    snapstart.register(tracer, *([snapstart.dynamodb_handle] if dynamodb else []))
    if dynamodb:
        watch_dynamodb()
    traced: list[Callable[..., Any]] = []

    @functools.wraps(handler)
    def entry(event: Any, context: Any) -> Any:
        if not traced:
            traced.append(tracer().capture_lambda_handler(handler, capture_response=False))
        return traced[0](event, context)

    wrapped = cast(F, metrics.log_metrics(entry, capture_cold_start_metric=True))
    snapstart.end_init()  # the entry point is the last thing a function's init builds
    return wrapped
