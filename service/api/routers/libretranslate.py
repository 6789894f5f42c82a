"""LibreTranslate-compatible ``POST /translate``, ``POST /detect`` and ``GET /languages``.

Same field names, JSON or form bodies, same response and error shapes (``{"error": "..."}``), so
existing LibreTranslate clients work unchanged for Vietnamese and English.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from tomtat.models.langdetect import detect_language
from tomtat.models.text import clean_surrogates
from tomtat.service.api.deps import check_limits, get_engines, get_settings
from tomtat.service.api.errors import ApiError
from tomtat.service.api.openapi import request_body, schema_of
from tomtat.service.api.routers.translate import translate_texts
from tomtat.service.api.schemas import (
    LTDetection,
    LTDetectRequest,
    LTError,
    LTLanguage,
    LTTranslateRequest,
    LTTranslateResponse,
    _clean,
)
from tomtat.service.runtime.pool import Engines
from tomtat.service.settings import Settings

router = APIRouter(tags=["libretranslate"])
NAMES = {"en": "English", "vi": "Vietnamese"}
LT_ERRORS = {code: {"model": LTError} for code in (400, 403, 413, 415, 429, 503)}
FORMS = ("application/json", "application/x-www-form-urlencoded")


def _body(model: type) -> dict[str, object]:
    return request_body(dict.fromkeys(FORMS, schema_of(model)))


def _lt_error(error: ApiError) -> JSONResponse:
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
    status = 400 if error.status == 422 else error.status
    return JSONResponse({"error": clean_surrogates(error.message)}, status_code=status, headers=headers)


async def _params(request: Request) -> dict[str, object]:
    """LibreTranslate takes JSON or form fields; a repeated form ``q`` is a list."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "invalid_json", "Invalid request: body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_request", "Invalid request: body must be a JSON object")
        return _clean(data)
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        params: dict[str, object] = {k: form.get(k) for k in form}
        if len(form.getlist("q")) > 1:
            params["q"] = form.getlist("q")
        return _clean(params)
    raise ApiError(415, "unsupported_media_type", "Invalid request: send JSON or form data")


def _texts(params: dict[str, object]) -> tuple[list[str], bool]:
    q = params.get("q")
    if q is None or q == "" or q == []:
        raise ApiError(400, "invalid_request", "Invalid request: missing q parameter")
    if isinstance(q, str):
        return [q], False
    if isinstance(q, list) and all(isinstance(x, str) for x in q):
        return list(q), True
    raise ApiError(400, "invalid_request", "Invalid request: q must be a string or an array of strings")


def _api_key(params: dict[str, object]) -> str | None:
    key = params.get("api_key")
    if key is not None and not isinstance(key, str):
        raise ApiError(400, "invalid_request", "Invalid request: api_key must be a string")
    return key or None


def _language(params: dict[str, object], name: str, allowed: tuple[str, ...]) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise ApiError(400, "invalid_request", f"Invalid request: missing {name} parameter")
    if value not in allowed:
        raise ApiError(400, "invalid_request", f"{name} language {value} is not supported")
    return value


@router.post(
    "/translate", response_model=LTTranslateResponse, responses=LT_ERRORS, openapi_extra=_body(LTTranslateRequest)
)
async def translate(
    request: Request, engines: Engines = Depends(get_engines), settings: Settings = Depends(get_settings)
) -> JSONResponse:
    try:
        params = await _params(request)
        texts, is_list = _texts(params)
        source = _language(params, "source", ("auto", "vi", "en"))
        target = _language(params, "target", ("vi", "en"))
        if params.get("format", "text") not in ("text", None):
            raise ApiError(400, "invalid_request", "format html is not supported; use text")
        fields = [f"q[{i}]" if is_list else "q" for i in range(len(texts))]
        check_limits(texts, fields, settings)
        request.app.state.guard.authorize(request, _api_key(params), sum(map(len, texts)))
        outcomes = await translate_texts(request, engines, texts, fields, source, target)
    except ApiError as error:
        return _lt_error(error)
    translated = [t.translation for t, _, _ in outcomes]
    body: dict[str, object] = {"translatedText": translated if is_list else translated[0]}
    if source == "auto":
        detected = [{"confidence": round(d.probability * 100, 1), "language": d.language} for _, d, _ in outcomes if d]
        body["detectedLanguage"] = detected if is_list else detected[0]
    return JSONResponse(body)


@router.post("/detect", response_model=list[LTDetection], responses=LT_ERRORS, openapi_extra=_body(LTDetectRequest))
async def detect(request: Request, settings: Settings = Depends(get_settings)) -> JSONResponse:
    try:
        params = await _params(request)
        texts, _ = _texts(params)
        check_limits(texts, ["q"] * len(texts), settings)
        request.app.state.guard.authorize(request, _api_key(params), sum(map(len, texts)))
    except ApiError as error:
        return _lt_error(error)
    detection = await asyncio.to_thread(detect_language, texts[0])
    return JSONResponse([{"confidence": round(detection.probability * 100, 1), "language": detection.language}])


@router.get("/languages", response_model=list[LTLanguage])
async def languages(engines: Engines = Depends(get_engines)) -> list[dict[str, object]]:
    """Languages and the targets each can be translated into by the loaded models."""
    directions = engines.translator.directions() if engines.translator else []
    return [
        {"code": code, "name": name, "targets": sorted({d.split("-")[1] for d in directions if d.startswith(code)})}
        for code, name in NAMES.items()
    ]
