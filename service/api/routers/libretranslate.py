"""LibreTranslate-compatible ``/translate``, ``/detect``, ``/languages``, ``/health``, ``/frontend/settings``
and ``/spec``, matched against LibreTranslate's own ``app.py``.

Fields from the query string, form or JSON alike; LibreTranslate's response shapes, error shape
(``{"error": "..."}``), status codes and key semantics, so clients written for LibreTranslate
(libretranslatepy, deep-translator: tested against a live server) translate Vietnamese and English
unchanged. ``format=html`` translates the text and keeps the markup (``models/markup.py``);
``/translate_file`` translates .txt/.html/.docx/.pptx/.odt/.srt in their own format
(``service/files``); ``/suggest`` stores corrections when enabled (``service/suggestions``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse

from tomtat.models.errors import TomtatError
from tomtat.models.translator import detect_source, resolve_source
from tomtat.service.api.auth import ApiKey, Guard
from tomtat.service.api.deps import GatewayDep, PoolDep, SettingsDep, check_limits
from tomtat.service.api.errors import (
    ApiError,
    LibreTranslateError,
    api_error_of,
    lt_error_response,
)
from tomtat.service.api.openapi import request_body, schema_of
from tomtat.service.api.schemas import (
    LTDetection,
    LTDetectRequest,
    LTError,
    LTFrontendSettings,
    LTHealth,
    LTLanguage,
    LTSuggestRequest,
    LTSuggestResponse,
    LTTranslateFileRequest,
    LTTranslateFileResponse,
    LTTranslateRequest,
    LTTranslateResponse,
    clean_value,
)
from tomtat.service.files.formats import FORMATS, DocumentTooLarge, supported
from tomtat.service.files.store import TranslatedFiles
from tomtat.service.runtime.gateway import WorkerGateway
from tomtat.service.runtime.keys import overrides_of
from tomtat.service.settings import Settings
from tomtat.service.suggestions import Suggestion, SuggestionStore


async def lt_caller(request: Request) -> ApiKey | None:
    """This router's auth, LibreTranslate's way: the key may be the ``api_key`` field (query, form or
    JSON) as well as a Bearer header, so the (small) body is parsed first. A required key that is
    missing answers 400, a wrong one 403 ``Invalid API key``, a key over its limit 429 ``Slowdown``;
    every error in LibreTranslate's shape."""
    params: dict[str, object] = {}
    unreadable: ApiError | None = None
    try:
        params = await _params(request)
    except ApiError as error:
        unreadable = error
    try:
        secret = _api_key(params)
        key: ApiKey | None = request.app.state.guard.authenticate(request, secret)
        if unreadable is not None:
            raise unreadable
    except ApiError as error:
        raise LibreTranslateError(_as_libretranslate(error, request, params)) from None
    request.state.lt_params, request.state.caller = params, key
    return key


def _as_libretranslate(error: ApiError, request: Request, params: dict[str, object]) -> ApiError:
    if error.status == 401:
        if Guard.bearer(request) or params.get("api_key"):
            return ApiError(403, "forbidden", "Invalid API key")
        return ApiError(400, "key_required", "Please contact the server operator to get an API key")
    if error.status == 429:
        return ApiError(429, error.code, f"Slowdown: {error.message}", retry_after=error.retry_after)
    return error


router = APIRouter(tags=["libretranslate"], dependencies=[Depends(lt_caller)])
NAMES = {"en": "English", "vi": "Vietnamese"}
ALTERNATIVES_LIMIT = 5  # each one is a beam: the cost grows with it
LT_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": LTError} for code in (400, 403, 413, 415, 429, 503)}


def _body(model: type) -> dict[str, object]:
    # the same fields are taken from a form or the query string too; documenting one content type per
    # operation keeps OpenAPI client generators working (two break openapi-python-client's output)
    return request_body({"application/json": schema_of(model)})


async def _params(request: Request) -> dict[str, object]:
    """LibreTranslate's fields, from the query string and a JSON, urlencoded or multipart body alike
    (the body wins); a repeated ``q`` is a list."""
    params: dict[str, object] = _fields(request.query_params.multi_items())
    if request.method != "POST":
        return clean_value(params)  # type: ignore[no-any-return]
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body) if body.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "invalid_json", "Invalid JSON format") from None
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_request", "Invalid JSON format")
        params.update(data)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        params.update(_fields([(k, v) for k, v in form.multi_items() if isinstance(v, str)]))
    elif body.strip():
        raise ApiError(415, "unsupported_media_type", "Invalid request: send JSON, form data or query parameters")
    return clean_value(params)  # type: ignore[no-any-return]


def _fields(items: Sequence[tuple[str, str]]) -> dict[str, object]:
    fields: dict[str, object] = {}
    for name, value in items:
        if name == "q" and name in fields:
            previous = fields[name]
            fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[name] = value
    return fields


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
        raise ApiError(400, "invalid_request", f"{value} is not supported")  # LibreTranslate's words
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
        markup = params.get("format") == "html"
        if params.get("format") not in ("text", "html", "", None):
            raise ApiError(400, "invalid_request", f"{params.get('format')} format is not supported")
        alternatives = _alternatives(params)
        overrides = overrides_of({"num_return_sequences": alternatives + 1}) if alternatives else ()
        fields = [f"q[{i}]" if is_list else "q" for i in range(len(texts))]
        check_limits(texts, fields, settings)
        request.app.state.guard.charge(request.state.caller, sum(map(len, texts)))
        if markup:
            return await _translate_markup(request, gateway, texts, is_list, source, target, fields)
        # LibreTranslate sends back, unchanged, text with nothing to translate ("12345", an emoji)
        wanted = [i for i, text in enumerate(texts) if source != "auto" or _has_letters(text)]
        outcomes = await gateway.translate(
            [texts[i] for i in wanted], source, target, overrides, fields=[fields[i] for i in wanted]
        )
    except (ApiError, TomtatError) as error:
        return _lt_failure(error)
    translated = list(texts)
    others: list[list[str]] = [[] for _ in texts]
    detected: list[dict[str, object]] = [{"confidence": 0.0, "language": "en"} for _ in texts]
    for index, outcome in zip(wanted, outcomes, strict=True):
        translated[index] = outcome.translation.translation
        others[index] = outcome.translation.alternatives[:alternatives]
        if outcome.detected:
            detected[index] = _detection(outcome.detected.language, outcome.detected.probability)
    body: dict[str, object] = {"translatedText": translated if is_list else translated[0]}
    if source == "auto":
        body["detectedLanguage"] = detected if is_list else detected[0]
    if alternatives:
        body["alternatives"] = others if is_list else others[0]
    return JSONResponse(body)


async def _translate_markup(
    request: Request,
    gateway: WorkerGateway,
    texts: list[str],
    is_list: bool,
    source: str,
    target: str,
    fields: list[str],
) -> JSONResponse:
    """``format: "html"``: the text translated, the markup kept (LibreTranslate gives no alternatives here)."""
    results = await gateway.translate_markup(texts, source, target, fields)
    translated = [r.document for r in results]
    body: dict[str, object] = {"translatedText": translated if is_list else translated[0]}
    if source == "auto":
        detected = [
            _detection(r.detected.language, r.detected.probability)
            if r.detected
            else {"confidence": 0.0, "language": "en"}
            for r in results
        ]
        body["detectedLanguage"] = detected if is_list else detected[0]
    return JSONResponse(body)


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _alternatives(params: dict[str, Any]) -> int:
    """LibreTranslate's ``alternatives``: how many other translations to add (beam search keeps that
    many more hypotheses; the best may then differ from the greedy one, as on LibreTranslate)."""
    value = params.get("alternatives", 0)
    try:
        number = max(0, int(value))
    except (TypeError, ValueError):
        raise ApiError(400, "invalid_request", "Invalid request: alternatives parameter is not a number") from None
    if number > ALTERNATIVES_LIMIT:
        message = f"Invalid request: alternatives parameter must be <= {ALTERNATIVES_LIMIT}"
        raise ApiError(400, "invalid_request", message)
    return number


def _detection(language: str, probability: float) -> dict[str, object]:
    return {"confidence": round(probability * 100, 1), "language": language}


@router.post("/detect", response_model=list[LTDetection], responses=LT_ERRORS, openapi_extra=_body(LTDetectRequest))
async def detect(request: Request, settings: SettingsDep) -> JSONResponse:
    """Languages of ``q`` (a string, or an array: one list for all, each language's confidence
    averaged over the texts it was found in, as LibreTranslate answers), most confident first."""
    params: dict[str, Any] = request.state.lt_params
    try:
        texts, _ = _texts(params)
        check_limits(texts, ["q"] * len(texts), settings)
        request.app.state.guard.charge(request.state.caller, sum(map(len, texts)))
    except ApiError as error:
        return _lt_failure(error)
    detections = await asyncio.to_thread(lambda: [detect_source(text) for text in texts])
    found: dict[str, list[float]] = {}
    for detection in detections:
        if detection.language != "und":
            found.setdefault(detection.language, []).append(detection.probability)
    if not found:
        return JSONResponse([{"confidence": 0.0, "language": "en"}])
    ranked = sorted(((sum(p) / len(p), language) for language, p in found.items()), reverse=True)
    return JSONResponse([_detection(language, probability) for probability, language in ranked])


async def _languages(pool: PoolDep) -> list[dict[str, object]]:
    """Languages and the targets each can be translated into by the loaded models."""
    directions = pool.translator.directions() if pool.translator else []
    return [
        {"code": code, "name": name, "targets": sorted({d.split("-")[1] for d in directions if d.startswith(code)})}
        for code, name in NAMES.items()
    ]


# open, as on LibreTranslate: what a client or LibreTranslate's own web page asks before it has a key
open_router = APIRouter(tags=["libretranslate"])
open_router.add_api_route(
    "/languages", _languages, methods=["GET"], response_model=list[LTLanguage], operation_id="languages"
)
# older LibreTranslate took POST too, and libretranslatepy still sends it
open_router.add_api_route(
    "/languages", _languages, methods=["POST"], response_model=list[LTLanguage], operation_id="languages_post"
)


@open_router.get("/health", response_model=LTHealth)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@open_router.get("/frontend/settings", response_model=LTFrontendSettings)
async def frontend_settings(settings: SettingsDep) -> dict[str, object]:
    """What LibreTranslate's web page asks first: limits, whether keys are needed, file formats."""
    return {
        "charLimit": settings.max_chars,
        "frontendTimeout": 500,
        "apiKeys": settings.require_api_keys,
        "keyRequired": settings.require_api_keys,
        "suggestions": settings.suggestions,
        "filesTranslation": True,
        "supportedFilesFormat": supported(),
        "language": {"source": {"code": "vi", "name": NAMES["vi"]}, "target": {"code": "en", "name": NAMES["en"]}},
    }


@router.post(
    "/translate_file",
    response_model=LTTranslateFileResponse,
    responses=LT_ERRORS,
    openapi_extra=request_body({"multipart/form-data": schema_of(LTTranslateFileRequest)}),
)
async def translate_file(request: Request, gateway: GatewayDep, settings: SettingsDep) -> JSONResponse:
    """A document translated in its own format (paragraphs, runs, slides and cues kept); answers the URL
    to download it from, valid for ``TOMTAT_TRANSLATED_FILE_TTL_SECONDS``."""
    params: dict[str, Any] = request.state.lt_params
    try:
        upload = (
            (await request.form()).get("file")
            if "multipart/form-data" in request.headers.get("content-type", "")
            else None
        )
        if upload is None or isinstance(upload, str):
            raise ApiError(400, "invalid_request", "Invalid request: missing file parameter")
        source = _language(params, "source", ("auto", "vi", "en"))
        target = _language(params, "target", ("vi", "en"))
        name = upload.filename or ""
        extension = Path(name).suffix.lower()
        if not name:
            raise ApiError(400, "invalid_request", "Invalid request: empty file")
        if extension not in supported():
            raise ApiError(400, "invalid_request", "Invalid request: file format not supported")
        data = await upload.read()
        if not data:
            raise ApiError(400, "invalid_request", "Invalid request: empty file")
        guard, caller = request.app.state.guard, request.state.caller

        def admit(texts: list[str], fields: list[str]) -> None:  # the texts found in the file, as ``q`` would be
            for text, field in zip(texts, fields, strict=True):
                if len(text) > settings.max_chars:
                    message = f"{field} has {len(text)} characters; at most {settings.max_chars}"
                    raise ApiError(400, "text_too_long", f"Invalid request: {message}", field)
            guard.charge(caller, sum(map(len, texts)))  # the characters translated, not the file's bytes

        translated = await _translated_document(gateway, data, extension, source, target, admit, settings.max_texts)
    except (ApiError, TomtatError) as error:
        return _lt_failure(error)
    files = _translated_files(settings)
    stored = await asyncio.to_thread(files.save, translated, name, target, extension)
    return JSONResponse({"translatedFileUrl": f"{request.base_url}download_file/{stored}"})


def _translated_files(settings: Settings) -> TranslatedFiles:
    return TranslatedFiles(settings.data_dir / "translated-files", settings.translated_file_ttl_seconds)


async def _translated_document(
    gateway: WorkerGateway,
    data: bytes,
    extension: str,
    source: str,
    target: str,
    admit: Callable[[list[str], list[str]], None],
    per_request: int,
) -> bytes:
    """Run the format's handler in a thread; its texts go through the gateway on this event loop,
    ``per_request`` at a time (a long document is several requests' worth of work, never more than a
    queue can take, and interactive requests get in between them)."""
    loop = asyncio.get_running_loop()

    def translate(texts: list[str]) -> list[str]:
        if not texts:
            return []
        fields = [f"file[{i}]" for i in range(len(texts))]
        admit(texts, fields)
        language = source
        if source == "auto":  # the document's language, detected on its text at once
            language = resolve_source(" ".join(texts)[:5000], "auto")[0]
        translated: list[str] = []
        for start in range(0, len(texts), per_request):
            part = slice(start, start + per_request)
            work = gateway.translate(texts[part], language, target, (), fields[part])
            translated += [r.translation.translation for r in asyncio.run_coroutine_threadsafe(work, loop).result()]
        return translated

    try:
        return await asyncio.to_thread(FORMATS[extension].translate, data, translate)
    except (ApiError, TomtatError):
        raise
    except DocumentTooLarge as error:
        raise ApiError(400, "too_large", f"Invalid request: {error}") from None
    except Exception as error:  # noqa: BLE001 - a broken document is the sender's problem, said plainly
        message = f"Invalid request: the file could not be read as {extension} ({type(error).__name__})"
        raise ApiError(400, "invalid_file", message) from None


@router.post("/suggest", response_model=LTSuggestResponse, responses=LT_ERRORS, openapi_extra=_body(LTSuggestRequest))
async def suggest(request: Request, settings: SettingsDep) -> JSONResponse:
    """A better translation proposed by a reader (``q`` the text, ``s`` the suggestion), stored for
    ``tomtat suggestions export``; off unless ``TOMTAT_SUGGESTIONS`` is on, as on LibreTranslate."""
    params: dict[str, Any] = request.state.lt_params
    try:  # a malformed request is refused as such (400) before whether suggestions are on (403)
        for name in ("q", "s"):
            if not isinstance(params.get(name), str) or not params[name].strip():
                raise ApiError(400, "invalid_request", f"Invalid request: missing {name} parameter")
        source = _language(params, "source", ("vi", "en"))
        target = _language(params, "target", ("vi", "en"))
        check_limits([params["q"], params["s"]], ["q", "s"], settings)
        if not settings.suggestions:
            raise ApiError(403, "forbidden", "Suggestions are disabled on this server.")
    except ApiError as error:
        return _lt_failure(error)
    key = request.state.caller
    entry = Suggestion(source, target, params["q"], params["s"], key_id=key.id if key else None)
    await asyncio.to_thread(_keep_suggestion, settings.data_dir / "tomtat.db", entry)
    return JSONResponse({"success": True})


def _keep_suggestion(database: Path, entry: Suggestion) -> None:
    """Opened for the one write (suggestions are rare), in a thread like every SQLite call of a route."""
    store = SuggestionStore(database)
    try:
        store.add(entry)
    finally:
        store.close()


@open_router.get("/download_file/{filename}", response_class=FileResponse, responses={404: {"model": LTError}})
async def download_file(filename: str, settings: SettingsDep) -> FileResponse:
    """A translated file, by the name ``/translate_file`` gave (open, as on LibreTranslate: the random
    name is the key); expired or unknown names answer 404."""
    files = _translated_files(settings)
    path = await asyncio.to_thread(files.path, filename)
    if path is None:
        raise LibreTranslateError(ApiError(404, "not_found", "Invalid filename"))
    extension = FORMATS.get(path.suffix.lower())
    return FileResponse(
        path,
        media_type=extension.media_type if extension else "application/octet-stream",
        filename=filename.split(".", 1)[1],
    )


@open_router.get("/spec", include_in_schema=False)
async def spec(request: Request) -> JSONResponse:
    """The API description, where LibreTranslate serves its own."""
    return JSONResponse(request.app.openapi())
