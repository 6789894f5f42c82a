"""Shared state reached through FastAPI dependencies, and helpers the routers share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from fastapi import Request
from tomtat.service.api.errors import ApiError
from tomtat.service.api.schemas import Document, TextsRequest
from tomtat.service.runtime.pool import Engines
from tomtat.service.settings import Settings

T = TypeVar("T")


def get_engines(request: Request) -> Engines:
    return request.app.state.engines


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def check_limits(texts: list[str], fields: list[str], settings: Settings) -> None:
    """Texts per request and characters per text, each refused with the field named."""
    if not texts:
        raise ApiError(422, "no_texts", "texts is empty", "texts")
    if len(texts) > settings.max_texts:
        raise ApiError(422, "too_many_texts", f"at most {settings.max_texts} texts per request", "texts")
    for text, field in zip(texts, fields, strict=True):
        if len(text) > settings.max_chars:
            raise ApiError(
                422, "text_too_long", f"{field} has {len(text)} characters; at most {settings.max_chars}", field
            )


def admit(body: TextsRequest, request: Request, settings: Settings) -> tuple[list[Document], list[str]]:
    """The request's documents and their field names, once limits and the caller's key allow them."""
    documents = body.documents()
    fields = [body.field_of(i) for i in range(len(documents))]
    check_limits([d.text for d in documents], fields, settings)
    request.app.state.guard.authorize(request, chars=sum(len(d.text) for d in documents))
    return documents, fields


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """Await ``work``; if the client goes away first, cancel it so queued texts never reach the model."""
    task = asyncio.ensure_future(work)
    while True:
        done, _ = await asyncio.wait({task}, timeout=0.25)
        if done:
            return task.result()
        if await request.is_disconnected():
            task.cancel()
            raise ApiError(499, "client_closed", "the client closed the connection")
