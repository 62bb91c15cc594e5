from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.page_channel import PageChannel
from ...types import UNSET, Response, Unset


def _get_kwargs(
    channel_type: str,
    *,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadata_key: None | str | Unset = UNSET,
    metadata_values: None | str | Unset = UNSET,
    metacounter_key: None | str | Unset = UNSET,
    metacounter_value_gt: int | None | Unset = UNSET,
    metacounter_value_gte: int | None | Unset = UNSET,
    metacounter_value_lt: int | None | Unset = UNSET,
    metacounter_value_lte: int | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_next_: None | str | Unset
    if isinstance(next_, Unset):
        json_next_ = UNSET
    else:
        json_next_ = next_
    params["next"] = json_next_

    json_metadata_key: None | str | Unset
    if isinstance(metadata_key, Unset):
        json_metadata_key = UNSET
    else:
        json_metadata_key = metadata_key
    params["metadata_key"] = json_metadata_key

    json_metadata_values: None | str | Unset
    if isinstance(metadata_values, Unset):
        json_metadata_values = UNSET
    else:
        json_metadata_values = metadata_values
    params["metadata_values"] = json_metadata_values

    json_metacounter_key: None | str | Unset
    if isinstance(metacounter_key, Unset):
        json_metacounter_key = UNSET
    else:
        json_metacounter_key = metacounter_key
    params["metacounter_key"] = json_metacounter_key

    json_metacounter_value_gt: int | None | Unset
    if isinstance(metacounter_value_gt, Unset):
        json_metacounter_value_gt = UNSET
    else:
        json_metacounter_value_gt = metacounter_value_gt
    params["metacounter_value_gt"] = json_metacounter_value_gt

    json_metacounter_value_gte: int | None | Unset
    if isinstance(metacounter_value_gte, Unset):
        json_metacounter_value_gte = UNSET
    else:
        json_metacounter_value_gte = metacounter_value_gte
    params["metacounter_value_gte"] = json_metacounter_value_gte

    json_metacounter_value_lt: int | None | Unset
    if isinstance(metacounter_value_lt, Unset):
        json_metacounter_value_lt = UNSET
    else:
        json_metacounter_value_lt = metacounter_value_lt
    params["metacounter_value_lt"] = json_metacounter_value_lt

    json_metacounter_value_lte: int | None | Unset
    if isinstance(metacounter_value_lte, Unset):
        json_metacounter_value_lte = UNSET
    else:
        json_metacounter_value_lte = metacounter_value_lte
    params["metacounter_value_lte"] = json_metacounter_value_lte

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/{channel_type}".format(
            channel_type=quote(str(channel_type), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PageChannel | None:
    if response.status_code == 200:
        response_200 = PageChannel.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | PageChannel]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    channel_type: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadata_key: None | str | Unset = UNSET,
    metadata_values: None | str | Unset = UNSET,
    metacounter_key: None | str | Unset = UNSET,
    metacounter_value_gt: int | None | Unset = UNSET,
    metacounter_value_gte: int | None | Unset = UNSET,
    metacounter_value_lt: int | None | Unset = UNSET,
    metacounter_value_lte: int | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> Response[Error | PageChannel]:
    """GET /{channel_type}

    Args:
        channel_type (str):
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metadata_key (None | str | Unset):
        metadata_values (None | str | Unset):
        metacounter_key (None | str | Unset):
        metacounter_value_gt (int | None | Unset):
        metacounter_value_gte (int | None | Unset):
        metacounter_value_lt (int | None | Unset):
        metacounter_value_lte (int | None | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageChannel]
    """

    kwargs = _get_kwargs(
        channel_type=channel_type,
        limit=limit,
        next_=next_,
        metadata_key=metadata_key,
        metadata_values=metadata_values,
        metacounter_key=metacounter_key,
        metacounter_value_gt=metacounter_value_gt,
        metacounter_value_gte=metacounter_value_gte,
        metacounter_value_lt=metacounter_value_lt,
        metacounter_value_lte=metacounter_value_lte,
        q=q,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    channel_type: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadata_key: None | str | Unset = UNSET,
    metadata_values: None | str | Unset = UNSET,
    metacounter_key: None | str | Unset = UNSET,
    metacounter_value_gt: int | None | Unset = UNSET,
    metacounter_value_gte: int | None | Unset = UNSET,
    metacounter_value_lt: int | None | Unset = UNSET,
    metacounter_value_lte: int | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> Error | PageChannel | None:
    """GET /{channel_type}

    Args:
        channel_type (str):
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metadata_key (None | str | Unset):
        metadata_values (None | str | Unset):
        metacounter_key (None | str | Unset):
        metacounter_value_gt (int | None | Unset):
        metacounter_value_gte (int | None | Unset):
        metacounter_value_lt (int | None | Unset):
        metacounter_value_lte (int | None | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageChannel
    """

    return sync_detailed(
        channel_type=channel_type,
        client=client,
        limit=limit,
        next_=next_,
        metadata_key=metadata_key,
        metadata_values=metadata_values,
        metacounter_key=metacounter_key,
        metacounter_value_gt=metacounter_value_gt,
        metacounter_value_gte=metacounter_value_gte,
        metacounter_value_lt=metacounter_value_lt,
        metacounter_value_lte=metacounter_value_lte,
        q=q,
    ).parsed


async def asyncio_detailed(
    channel_type: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadata_key: None | str | Unset = UNSET,
    metadata_values: None | str | Unset = UNSET,
    metacounter_key: None | str | Unset = UNSET,
    metacounter_value_gt: int | None | Unset = UNSET,
    metacounter_value_gte: int | None | Unset = UNSET,
    metacounter_value_lt: int | None | Unset = UNSET,
    metacounter_value_lte: int | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> Response[Error | PageChannel]:
    """GET /{channel_type}

    Args:
        channel_type (str):
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metadata_key (None | str | Unset):
        metadata_values (None | str | Unset):
        metacounter_key (None | str | Unset):
        metacounter_value_gt (int | None | Unset):
        metacounter_value_gte (int | None | Unset):
        metacounter_value_lt (int | None | Unset):
        metacounter_value_lte (int | None | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageChannel]
    """

    kwargs = _get_kwargs(
        channel_type=channel_type,
        limit=limit,
        next_=next_,
        metadata_key=metadata_key,
        metadata_values=metadata_values,
        metacounter_key=metacounter_key,
        metacounter_value_gt=metacounter_value_gt,
        metacounter_value_gte=metacounter_value_gte,
        metacounter_value_lt=metacounter_value_lt,
        metacounter_value_lte=metacounter_value_lte,
        q=q,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    channel_type: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadata_key: None | str | Unset = UNSET,
    metadata_values: None | str | Unset = UNSET,
    metacounter_key: None | str | Unset = UNSET,
    metacounter_value_gt: int | None | Unset = UNSET,
    metacounter_value_gte: int | None | Unset = UNSET,
    metacounter_value_lt: int | None | Unset = UNSET,
    metacounter_value_lte: int | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> Error | PageChannel | None:
    """GET /{channel_type}

    Args:
        channel_type (str):
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metadata_key (None | str | Unset):
        metadata_values (None | str | Unset):
        metacounter_key (None | str | Unset):
        metacounter_value_gt (int | None | Unset):
        metacounter_value_gte (int | None | Unset):
        metacounter_value_lt (int | None | Unset):
        metacounter_value_lte (int | None | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageChannel
    """

    return (
        await asyncio_detailed(
            channel_type=channel_type,
            client=client,
            limit=limit,
            next_=next_,
            metadata_key=metadata_key,
            metadata_values=metadata_values,
            metacounter_key=metacounter_key,
            metacounter_value_gt=metacounter_value_gt,
            metacounter_value_gte=metacounter_value_gte,
            metacounter_value_lt=metacounter_value_lt,
            metacounter_value_lte=metacounter_value_lte,
            q=q,
        )
    ).parsed
