"""Typed dependencies: what a route needs is in its signature, so no route can forget it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from tomtat.models.errors import InputError
from tomtat.service.api.auth import ApiKey, Guard, caller
from tomtat.service.api.errors import ApiError
from tomtat.service.api.schemas import Document, ErrorBody, TextErrorOut, TextsRequest
from tomtat.service.archive.articles import Article, ArticleFormatError, Format, article_of
from tomtat.service.jobs.store import JobStore
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.gateway import WorkerGateway
from tomtat.service.runtime.pool import ModelPool
from tomtat.service.settings import Settings

T = TypeVar("T")


def _app_state(attribute: str) -> Callable[[Request], Any]:
    """A dependency returning ``app.state.<attribute>`` (set once by ``create_app``)."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, attribute)

    return get


PoolDep = Annotated[ModelPool, Depends(_app_state("pool"))]
GatewayDep = Annotated[WorkerGateway, Depends(_app_state("gateway"))]
SettingsDep = Annotated[Settings, Depends(_app_state("settings"))]
StoreDep = Annotated[JobStore, Depends(_app_state("job_store"))]
MetricsDep = Annotated[Metrics, Depends(_app_state("metrics"))]
GuardDep = Annotated[Guard, Depends(_app_state("guard"))]
# every API router depends on ``caller`` already; a route names CallerDep to learn who called
CallerDep = Annotated[ApiKey | None, Depends(caller)]


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


def admit(
    body: TextsRequest, request: Request, settings: Settings, key: ApiKey | None
) -> tuple[list[Document], list[str]]:
    """The request's documents and their field names, once limits and the caller's key allow them."""
    documents = body.documents()
    fields = [body.field_of(i) for i in range(len(documents))]
    check_limits([d.text for d in documents], fields, settings)
    request.app.state.guard.charge(key, sum(len(d.text) for d in documents))
    return documents, fields


async def read_articles(texts: list[str], fields: list[str], text_format: Format) -> list[Article | InputError]:
    """Each text's article (HTML pages and CMS bodies to plain paragraphs; plain text as it is), read
    off the event loop; a page or body with no article text gets its error, its field named."""

    def read_one(text: str, field: str) -> Article | InputError:
        try:
            article = article_of(text, text_format)
        except ArticleFormatError as error:
            return InputError(f"{field}: {error}", field, error.code)
        if article.markup and not article.text.strip():
            return InputError(f"{field}: the HTML holds no article text", field, "no_article")
        return article

    return await asyncio.to_thread(lambda: [read_one(t, f) for t, f in zip(texts, fields, strict=True)])


def refuse_a_lone_text(body: TextsRequest, outcomes: Sequence[object]) -> None:
    """A ``text`` request is its one text: its error is the request's (422). In a ``texts`` request each
    text's error stays in its own result slot."""
    if body.text is not None:
        for outcome in outcomes:
            if isinstance(outcome, InputError):
                raise outcome


def text_error(document_id: str, error: InputError) -> TextErrorOut:
    return TextErrorOut(id=document_id, error=ErrorBody(code=error.code, message=str(error), field=error.field))


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
