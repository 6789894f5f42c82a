"""``POST /v1/extract``: the article in an uploaded file (.txt, saved web page, .docx), for the editor."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel

from tomtat.service.api.deps import CallerDep, GuardDep
from tomtat.service.api.errors import ApiError
from tomtat.service.api.schemas import error_responses
from tomtat.service.archive.articles import ArticleFormatError, from_file

router = APIRouter(tags=["extract"])


class ExtractResponse(BaseModel):
    text: str
    title: str | None = None
    date: str | None = None


@router.post("/v1/extract", response_model=ExtractResponse, responses=error_responses(415, 422))
async def extract(file: Annotated[UploadFile, File()], guard: GuardDep, key: CallerDep) -> ExtractResponse:
    """The main text, title and date of a web page (menus, related links and comments left out),
    the paragraphs of a Word document, or a text file as it is."""
    data = await file.read()
    try:
        article = await asyncio.to_thread(from_file, file.filename or "", data)
    except ArticleFormatError as error:
        raise ApiError(415 if error.code == "unsupported_media_type" else 422, error.code, str(error), "file") from None
    guard.charge(key, len(article.text))
    return ExtractResponse(text=article.text, title=article.title, date=article.date)
