from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.page_session import PageSession
from ...models.status import Status
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    status: None | Status | Unset = UNSET,
    q: None | str | Unset = UNSET,
    filters: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_next_: None | str | Unset
    if isinstance(next_, Unset):
        json_next_ = UNSET
    else:
        json_next_ = next_
    params["next"] = json_next_

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, Status):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    json_filters: None | str | Unset
    if isinstance(filters, Unset):
        json_filters = UNSET
    else:
        json_filters = filters
    params["filters"] = json_filters

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sessions",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PageSession | None:
    if response.status_code == 200:
        response_200 = PageSession.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | PageSession]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    status: None | Status | Unset = UNSET,
    q: None | str | Unset = UNSET,
    filters: None | str | Unset = UNSET,
) -> Response[Error | PageSession]:
    """GET /sessions

    Args:
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        status (None | Status | Unset):
        q (None | str | Unset):
        filters (None | str | Unset): JSON list of {"attribute", "operator", "value"}, all of
            which must hold (SPEC "Filters")

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageSession]
    """

    kwargs = _get_kwargs(
        limit=limit,
        next_=next_,
        status=status,
        q=q,
        filters=filters,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    status: None | Status | Unset = UNSET,
    q: None | str | Unset = UNSET,
    filters: None | str | Unset = UNSET,
) -> Error | PageSession | None:
    """GET /sessions

    Args:
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        status (None | Status | Unset):
        q (None | str | Unset):
        filters (None | str | Unset): JSON list of {"attribute", "operator", "value"}, all of
            which must hold (SPEC "Filters")

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageSession
    """

    return sync_detailed(
        client=client,
        limit=limit,
        next_=next_,
        status=status,
        q=q,
        filters=filters,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    status: None | Status | Unset = UNSET,
    q: None | str | Unset = UNSET,
    filters: None | str | Unset = UNSET,
) -> Response[Error | PageSession]:
    """GET /sessions

    Args:
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        status (None | Status | Unset):
        q (None | str | Unset):
        filters (None | str | Unset): JSON list of {"attribute", "operator", "value"}, all of
            which must hold (SPEC "Filters")

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageSession]
    """

    kwargs = _get_kwargs(
        limit=limit,
        next_=next_,
        status=status,
        q=q,
        filters=filters,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    status: None | Status | Unset = UNSET,
    q: None | str | Unset = UNSET,
    filters: None | str | Unset = UNSET,
) -> Error | PageSession | None:
    """GET /sessions

    Args:
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        status (None | Status | Unset):
        q (None | str | Unset):
        filters (None | str | Unset): JSON list of {"attribute", "operator", "value"}, all of
            which must hold (SPEC "Filters")

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageSession
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            next_=next_,
            status=status,
            q=q,
            filters=filters,
        )
    ).parsed
