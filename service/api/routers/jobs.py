"""Archive jobs: ``POST /v1/jobs`` (JSON documents or an uploaded JSONL/CSV), status, results, events, cancel."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from tomtat.models.registry import translate_task
from tomtat.service.api.auth import ApiKey
from tomtat.service.api.deps import CallerDep, PoolDep, SettingsDep, StoreDep
from tomtat.service.api.errors import ApiError
from tomtat.service.api.openapi import request_body, schema_of
from tomtat.service.api.schemas import MAX_WORDS, SENTENCES, DecodingOptions, Document, Strict, error_responses
from tomtat.service.archive.records import (
    InputFormatError,
    InputRecord,
    MissingFieldError,
    check_text_field,
    read_records,
)
from tomtat.service.jobs.store import TERMINAL, Job, JobOptions, JobStore
from tomtat.service.runtime.pool import ModelPool
from tomtat.service.settings import Settings

router = APIRouter(tags=["jobs"])
ERRORS = error_responses(404, 415, 422, 503)


class JobSettings(Strict):
    engine: str = Field(default="auto", pattern="^(auto|abstractive|extractive)$")
    model: str | None = None
    translate_to: str | None = Field(default=None, pattern="^en$")
    sentences: int | None = Field(default=None, ge=1, le=20, description=SENTENCES)
    max_words: int | None = Field(default=None, ge=5, le=1000, description=MAX_WORDS)
    allow_any_language: bool = False
    options: DecodingOptions = Field(default_factory=DecodingOptions)
    text_field: str = "text"
    id_field: str = "id"


class JobRequest(JobSettings):
    documents: list[str | Document] = Field(min_length=1)


class JobOut(BaseModel):
    id: str
    state: str
    total: int
    done: int
    failed: int
    duplicates: int = Field(description="repeated ids in the input, skipped (first occurrence kept)")
    created: float
    started: float | None
    finished: float | None
    error: str | None
    engine_worker: str
    note: str | None = None


def job_out(job: Job, note: str | None = None) -> JobOut:
    fields = {k: v for k, v in asdict(job).items() if k != "options"}
    return JobOut(**fields, engine_worker=job.options.plan.worker, note=note)


async def _parse(request: Request, settings: Settings) -> tuple[JobSettings, list[InputRecord]]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = JobRequest.model_validate_json(await request.body())
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"] if not str(p).startswith(("str", "Document")))
            raise ApiError(422, "invalid_request", f"{field}: {first['msg']}", field or None) from None
        records = [
            InputRecord(str(i), d) if isinstance(d, str) else InputRecord(d.id or str(i), d.text)
            for i, d in enumerate(body.documents)
        ]
        return body, records
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(422, "invalid_request", "upload a JSONL or CSV file in the 'file' field", "file")
        try:
            raw = form.get("options")
            options = JobSettings.model_validate_json(raw if isinstance(raw, str) and raw else "{}")
        except ValidationError as error:
            raise ApiError(422, "invalid_request", f"options: {error.errors()[0]['msg']}", "options") from None
        suffix = Path(upload.filename or "").suffix.lower()
        if suffix not in (".jsonl", ".ndjson", ".csv"):
            raise ApiError(415, "unsupported_media_type", "the file must be .jsonl or .csv", "file")
        with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as handle:
            shutil.copyfileobj(upload.file, handle)
        try:
            check_text_field(handle.name, options.text_field)
            records = list(read_records(handle.name, options.text_field, options.id_field))
        except MissingFieldError as error:
            message = f"{error} (set text_field in options)"
            raise ApiError(422, "missing_field", message, "options.text_field") from None
        except InputFormatError as error:
            raise ApiError(422, "invalid_request", str(error), "file") from None
        finally:
            Path(handle.name).unlink(missing_ok=True)
        return options, records
    raise ApiError(415, "unsupported_media_type", "send JSON documents or a multipart file upload")


class JobUpload(BaseModel):
    file: bytes = Field(description="a .jsonl or .csv file of records", json_schema_extra={"format": "binary"})
    options: str | None = Field(default=None, description="JobSettings as a JSON string")


@router.post(
    "/v1/jobs",
    status_code=202,
    response_model=JobOut,
    responses=ERRORS,
    openapi_extra=request_body({"application/json": schema_of(JobRequest)}),
)
async def create_job(request: Request, pool: PoolDep, settings: SettingsDep, store: StoreDep, key: CallerDep) -> JobOut:
    """Documents as JSON (a multipart upload is taken here too, as before ``/v1/uploads`` existed)."""
    return await _create(request, pool, settings, store, key)


@router.post(
    "/v1/uploads",
    status_code=202,
    response_model=JobOut,
    responses=ERRORS,
    # a route of its own: one content type per operation is what OpenAPI client generators handle
    openapi_extra=request_body({"multipart/form-data": schema_of(JobUpload)}),
)
async def upload_job(request: Request, pool: PoolDep, settings: SettingsDep, store: StoreDep, key: CallerDep) -> JobOut:
    """A .jsonl or .csv file of records (multipart ``file``, optional ``options`` JSON string)."""
    return await _create(request, pool, settings, store, key)


async def _create(request: Request, pool: ModelPool, settings: Settings, store: JobStore, key: ApiKey | None) -> JobOut:
    options, records = await _parse(request, settings)  # after the key was checked: nothing is read before
    request.app.state.guard.charge(key, sum(len(r.text or "") for r in records))
    if not records:
        raise ApiError(422, "no_texts", "the job has no records", "documents")
    if len(records) > settings.max_job_records:
        raise ApiError(422, "too_many_texts", f"at most {settings.max_job_records} records per job", "documents")
    if pool.loading and options.engine != "extractive":
        raise ApiError(503, "model_unavailable", "models are still loading; retry shortly", "engine", 10)
    plan = pool.plan_summary(
        options.engine, options.model, options.options.overrides(), options.sentences, options.max_words
    )
    if options.translate_to:
        pool.translation(translate_task("vi", "en"), "translate_to")  # refused now, not when the job runs
    job_options = JobOptions(plan, options.translate_to, options.allow_any_language)
    job = await asyncio.to_thread(store.create, job_options, records, key.id if key else None)
    request.app.state.job_runner.wake()
    return job_out(job, plan.note)


def _job(store: JobStore, job_id: str, key: ApiKey | None) -> Job:
    """The caller's job; another key's job is reported as missing, exactly like an unknown id."""
    job = store.get(job_id, key.id if key else None)
    if job is None:
        raise ApiError(404, "not_found", f"no job {job_id!r}", "job_id")
    return job


@router.get("/v1/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
async def get_job(job_id: str, store: StoreDep, key: CallerDep) -> JobOut:
    return job_out(_job(store, job_id, key))


SSE_EVENT = {
    "type": "object",
    "properties": {"event": {"enum": ["progress", "end"]}, "data": {"type": "string", "description": "JSON"}},
    "required": ["event", "data"],
}


def _streamed(media_type: str, schema: dict[str, Any], description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {"schema": schema}}, "description": description}, **ERRORS}


@router.get(
    "/v1/jobs/{job_id}/results",
    response_class=StreamingResponse,
    responses=_streamed("application/x-ndjson", {"type": "string"}, "one JSON object per finished record"),
)
async def job_results(job_id: str, store: StoreDep, key: CallerDep) -> StreamingResponse:
    """The results so far as JSONL, in submission order (one line per finished record)."""
    _job(store, job_id, key)
    return StreamingResponse(store.results(job_id), media_type="application/x-ndjson")


@router.get(
    "/v1/jobs/{job_id}/events",
    response_class=StreamingResponse,
    responses=_streamed("text/event-stream", SSE_EVENT, "progress events until the job ends"),
)
async def job_events(job_id: str, request: Request, store: StoreDep, key: CallerDep) -> StreamingResponse:
    """Server-sent events: the job's status whenever it changes, until it ends."""
    owner = key.id if key else None
    _job(store, job_id, key)

    async def events() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            job = store.get(job_id, owner)
            assert job is not None
            payload = job_out(job).model_dump_json()
            if payload != last:
                last = payload
                yield f"event: progress\ndata: {payload}\n\n"
            if job.state in TERMINAL:
                yield f"event: end\ndata: {json.dumps({'state': job.state})}\n\n"
                return
            await asyncio.sleep(0.25)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.delete("/v1/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
async def cancel_job(job_id: str, store: StoreDep, key: CallerDep) -> JobOut:
    """Cancel a queued or running job; results already written stay available."""
    _job(store, job_id, key)
    store.set_state(job_id, "cancelled")
    return job_out(_job(store, job_id, key))
