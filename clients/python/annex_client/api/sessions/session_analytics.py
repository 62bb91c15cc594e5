from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.analytics_answer import AnalyticsAnswer
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    filters: None | str | Unset = UNSET,
    group_by: None | str | Unset = UNSET,
    aggregation: None | str | Unset = UNSET,
    comparison: None | str | Unset = UNSET,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_filters: None | str | Unset
    if isinstance(filters, Unset):
        json_filters = UNSET
    else:
        json_filters = filters
    params["filters"] = json_filters

    json_group_by: None | str | Unset
    if isinstance(group_by, Unset):
        json_group_by = UNSET
    else:
        json_group_by = group_by
    params["group_by"] = json_group_by

    json_aggregation: None | str | Unset
    if isinstance(aggregation, Unset):
        json_aggregation = UNSET
    else:
        json_aggregation = aggregation
    params["aggregation"] = json_aggregation

    json_comparison: None | str | Unset
    if isinstance(comparison, Unset):
        json_comparison = UNSET
    else:
        json_comparison = comparison
    params["comparison"] = json_comparison

    json_page: int | None | Unset
    if isinstance(page, Unset):
        json_page = UNSET
    else:
        json_page = page
    params["page"] = json_page

    json_page_size: int | None | Unset
    if isinstance(page_size, Unset):
        json_page_size = UNSET
    else:
        json_page_size = page_size
    params["page_size"] = json_page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sessions/analytics",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AnalyticsAnswer | Error | None:
    if response.status_code == 200:
        response_200 = AnalyticsAnswer.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 414:
        response_414 = Error.from_dict(response.json())

        return response_414

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AnalyticsAnswer | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    filters: None | str | Unset = UNSET,
    group_by: None | str | Unset = UNSET,
    aggregation: None | str | Unset = UNSET,
    comparison: None | str | Unset = UNSET,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
) -> Response[AnalyticsAnswer | Error]:
    """GET /sessions/analytics

    Args:
        filters (None | str | Unset): JSON list of {"attribute", "operator", "value"}, all of
            which must hold (SPEC "Filters")
        group_by (None | str | Unset): JSON list of {"attribute", "max_group_number"?} (default
            50, at most 500)
        aggregation (None | str | Unset): JSON list of the metrics to compute (default: all); the
            rows hold only those
        comparison (None | str | Unset): previous_period: each row also holds `previous` (the same
            group over the equally long period just before) and `change` ((now - previous) / previous,
            null when previous is 0)
        page (int | None | Unset): the page of rows (from 1)
        page_size (int | None | Unset): rows a page (1-1000, default 100)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AnalyticsAnswer | Error]
    """

    kwargs = _get_kwargs(
        filters=filters,
        group_by=group_by,
        aggregation=aggregation,
        comparison=comparison,
        page=page,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    filters: None | str | Unset = UNSET,
    group_by: None | str | Unset = UNSET,
    aggregation: None | str | Unset = UNSET,
    comparison: None | str | Unset = UNSET,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
) -> AnalyticsAnswer | Error | None:
    """GET /sessions/analytics

    Args:
        filters (None | str | Unset): JSON list of {"attribute", "operator", "value"}, all of
            which must hold (SPEC "Filters")
        group_by (None | str | Unset): JSON list of {"attribute", "max_group_number"?} (default
            50, at most 500)
        aggregation (None | str | Unset): JSON list of the metrics to compute (default: all); the
            rows hold only those
        comparison (None | str | Unset): previous_period: each row also holds `previous` (the same
            group over the equally long period just before) and `change` ((now - previous) / previous,
            null when previous is 0)
        page (int | None | Unset): the page of rows (from 1)
        page_size (int | None | Unset): rows a page (1-1000, default 100)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AnalyticsAnswer | Error
    """

    return sync_detailed(
        client=client,
        filters=filters,
        group_by=group_by,
        aggregation=aggregation,
        comparison=comparison,
        page=page,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    filters: None | str | Unset = UNSET,
    group_by: None | str | Unset = UNSET,
    aggregation: None | str | Unset = UNSET,
    comparison: None | str | Unset = UNSET,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
) -> Response[AnalyticsAnswer | Error]:
    """GET /sessions/analytics

    Args:
        filters (None | str | Unset): JSON list of {"attribute", "operator", "value"}, all of
            which must hold (SPEC "Filters")
        group_by (None | str | Unset): JSON list of {"attribute", "max_group_number"?} (default
            50, at most 500)
        aggregation (None | str | Unset): JSON list of the metrics to compute (default: all); the
            rows hold only those
        comparison (None | str | Unset): previous_period: each row also holds `previous` (the same
            group over the equally long period just before) and `change` ((now - previous) / previous,
            null when previous is 0)
        page (int | None | Unset): the page of rows (from 1)
        page_size (int | None | Unset): rows a page (1-1000, default 100)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AnalyticsAnswer | Error]
    """

    kwargs = _get_kwargs(
        filters=filters,
        group_by=group_by,
        aggregation=aggregation,
        comparison=comparison,
        page=page,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    filters: None | str | Unset = UNSET,
    group_by: None | str | Unset = UNSET,
    aggregation: None | str | Unset = UNSET,
    comparison: None | str | Unset = UNSET,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
) -> AnalyticsAnswer | Error | None:
    """GET /sessions/analytics

    Args:
        filters (None | str | Unset): JSON list of {"attribute", "operator", "value"}, all of
            which must hold (SPEC "Filters")
        group_by (None | str | Unset): JSON list of {"attribute", "max_group_number"?} (default
            50, at most 500)
        aggregation (None | str | Unset): JSON list of the metrics to compute (default: all); the
            rows hold only those
        comparison (None | str | Unset): previous_period: each row also holds `previous` (the same
            group over the equally long period just before) and `change` ((now - previous) / previous,
            null when previous is 0)
        page (int | None | Unset): the page of rows (from 1)
        page_size (int | None | Unset): rows a page (1-1000, default 100)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AnalyticsAnswer | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            filters=filters,
            group_by=group_by,
            aggregation=aggregation,
            comparison=comparison,
            page=page,
            page_size=page_size,
        )
    ).parsed
