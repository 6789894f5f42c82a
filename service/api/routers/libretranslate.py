"""LibreTranslate-compatible ``POST /translate``, ``POST /detect`` and ``GET /languages``.

Same field names, JSON or form bodies, same response and error shapes (``{"error": "..."}``), so
existing LibreTranslate clients work unchanged for Vietnamese and English.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from tomtat.models.errors import TomtatError
from tomtat.models.langdetect import detect_language
from tomtat.service.api.auth import ApiKey
from tomtat.service.api.deps import GatewayDep, PoolDep, SettingsDep, check_limits
from tomtat.service.api.errors import ApiError, LibreTranslateError, api_error_of, lt_error_response
from tomtat.service.api.openapi import request_body, schema_of
from tomtat.service.api.schemas import (
    LTDetection,
    LTDetectRequest,
    LTError,
    LTLanguage,
    LTTranslateRequest,
    LTTranslateResponse,
    clean_value,
)


async def lt_caller(request: Request) -> ApiKey | None:
    """This router's auth: the key may be LibreTranslate's ``api_key`` field as well as a Bearer header,
    so the (small, form or JSON) body is parsed first; without a valid key the answer is 401 whatever
    the body holds. Every error in LibreTranslate's shape."""
    params: dict[str, object] = {}
    unreadable: ApiError | None = None
    try:
        params = await _params(request)
    except ApiError as error:
        unreadable = error
    try:
        key: ApiKey | None = request.app.state.guard.authenticate(request, _api_key(params))
        if unreadable is not None:
            raise unreadable
    except ApiError as error:
        raise LibreTranslateError(error) from None
    request.state.lt_params, request.state.caller = params, key
    return key


router = APIRouter(tags=["libretranslate"], dependencies=[Depends(lt_caller)])
NAMES = {"en": "English", "vi": "Vietnamese"}
LT_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": LTError} for code in (400, 403, 413, 415, 429, 503)}
FORMS = ("application/json", "application/x-www-form-urlencoded")


def _body(model: type) -> dict[str, object]:
    return request_body(dict.fromkeys(FORMS, schema_of(model)))


async def _params(request: Request) -> dict[str, object]:
    """LibreTranslate takes JSON or form fields; a repeated form ``q`` is a list."""
    if request.method == "GET":
        query: dict[str, object] = clean_value(dict(request.query_params))
        return query
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "invalid_json", "Invalid request: body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_request", "Invalid request: body must be a JSON object")
        cleaned: dict[str, object] = clean_value(data)
        return cleaned
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        params: dict[str, object] = {k: form.get(k) for k in form}
        if len(form.getlist("q")) > 1:
            params["q"] = form.getlist("q")
        cleaned_form: dict[str, object] = clean_value(params)
        return cleaned_form
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


def _lt_failure(error: ApiError | TomtatError) -> JSONResponse:
    return lt_error_response(error if isinstance(error, ApiError) else api_error_of(error))


@router.post(
    "/translate", response_model=LTTranslateResponse, responses=LT_ERRORS, openapi_extra=_body(LTTranslateRequest)
)
async def translate(request: Request, gateway: GatewayDep, settings: SettingsDep) -> JSONResponse:
    params: dict[str, Any] = request.state.lt_params
    try:
        texts, is_list = _texts(params)
        source = _language(params, "source", ("auto", "vi", "en"))
        target = _language(params, "target", ("vi", "en"))
        if params.get("format", "text") not in ("text", None):
            raise ApiError(400, "invalid_request", "format html is not supported; use text")
        fields = [f"q[{i}]" if is_list else "q" for i in range(len(texts))]
        check_limits(texts, fields, settings)
        request.app.state.guard.charge(request.state.caller, sum(map(len, texts)))
        outcomes = await gateway.translate(texts, source, target, fields=fields)
    except (ApiError, TomtatError) as error:
        return _lt_failure(error)
    translated = [o.translation.translation for o in outcomes]
    body: dict[str, object] = {"translatedText": translated if is_list else translated[0]}
    if source == "auto":
        detected = [
            {"confidence": round(o.detected.probability * 100, 1), "language": o.detected.language}
            for o in outcomes
            if o.detected
        ]
        body["detectedLanguage"] = detected if is_list else detected[0]
    return JSONResponse(body)


@router.post("/detect", response_model=list[LTDetection], responses=LT_ERRORS, openapi_extra=_body(LTDetectRequest))
async def detect(request: Request, settings: SettingsDep) -> JSONResponse:
    params: dict[str, Any] = request.state.lt_params
    try:
        texts, _ = _texts(params)
        check_limits(texts, ["q"] * len(texts), settings)
        request.app.state.guard.charge(request.state.caller, sum(map(len, texts)))
    except ApiError as error:
        return _lt_failure(error)
    detection = await asyncio.to_thread(detect_language, texts[0])
    return JSONResponse([{"confidence": round(detection.probability * 100, 1), "language": detection.language}])


@router.get("/languages", response_model=list[LTLanguage])
async def languages(pool: PoolDep) -> list[dict[str, object]]:
    """Languages and the targets each can be translated into by the loaded models."""
    directions = pool.translator.directions() if pool.translator else []
    return [
        {"code": code, "name": name, "targets": sorted({d.split("-")[1] for d in directions if d.startswith(code)})}
        for code, name in NAMES.items()
    ]
