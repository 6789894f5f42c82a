"""Archive jobs: ``POST /v1/jobs`` (JSON documents or an uploaded JSONL/CSV), status, results, events, cancel."""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from tomtat.models.registry import translate_task
from tomtat.service.api.auth import ApiKey
from tomtat.service.api.deps import CallerDep, PoolDep, SettingsDep, StoreDep
from tomtat.service.api.errors import ApiError
from tomtat.service.api.openapi import request_body, schema_of
from tomtat.service.api.schemas import (
    FORMAT,
    MAX_WORDS,
    SENTENCES,
    DecodingOptions,
    Document,
    Strict,
    error_responses,
)
from tomtat.service.archive.articles import Format
from tomtat.service.archive.input_record import InputRecord
from tomtat.service.archive.records import (
    CRAWL_SUFFIXES,
    InputFormatError,
    MissingFieldError,
    check_text_field,
    file_suffix,
)
from tomtat.service.jobs.changes import JobChanges
from tomtat.service.jobs.export import csv_lines
from tomtat.service.jobs.storage import StorageFull
from tomtat.service.jobs.store import TERMINAL, Job, JobOptions, JobStore, TooManyRecords
from tomtat.service.runtime.pool import ModelPool
from tomtat.service.settings import Settings

router = APIRouter(tags=["jobs"])
ERRORS = error_responses(404, 415, 422, 503)
CREATE_ERRORS = error_responses(404, 413, 415, 422, 503, 507)  # 413/507: the storage limits


class JobSettings(Strict):
    engine: str = Field(default="auto", pattern="^(auto|abstractive|extractive)$")
    model: str | None = None
    translate_to: str | None = Field(default=None, pattern="^en$")
    sentences: int | None = Field(default=None, ge=1, le=20, description=SENTENCES)
    max_words: int | None = Field(default=None, ge=5, le=1000, description=MAX_WORDS)
    allow_any_language: bool = False
    format: Format = Field(default="auto", description=FORMAT)
    options: DecodingOptions = Field(default_factory=DecodingOptions)
    text_field: str = "text"
    id_field: str = "id"


class JobRequest(JobSettings):
    documents: list[str | Document] = Field(min_length=1)


class JobOut(BaseModel):
    id: str
    name: str | None = Field(default=None, description="the uploaded file's name")
    state: str
    total: int
    done: int
    failed: int
    errors: dict[str, int] = Field(default_factory=dict, description="failed records by error code")
    duplicates: int = Field(description="repeated ids in the input, skipped (first occurrence kept)")
    created: float
    started: float | None
    finished: float | None
    error: str | None
    engine_worker: str
    docs_per_second: float | None = Field(default=None, description="records finished per second since it started")
    eta_seconds: float | None = Field(default=None, description="at that rate, seconds until the last record")
    note: str | None = None
    resent: bool = Field(default=False, description="this file was uploaded before with the same options: that job")


class JobList(BaseModel):
    jobs: list[JobOut]


def job_out(job: Job, note: str | None = None, resent: bool = False) -> JobOut:
    fields = {k: v for k, v in asdict(job).items() if k not in ("options", "owner")}
    rate = eta = None
    if job.started is not None and job.done:
        elapsed = (job.finished or time.time()) - job.started
        rate = round(job.done / elapsed, 3) if elapsed > 0 else None
        if rate and job.state not in TERMINAL:
            eta = round((job.total - job.done) / rate, 1)
    worker = job.options.plan.worker
    return JobOut(**fields, engine_worker=worker, docs_per_second=rate, eta_seconds=eta, note=note, resent=resent)


UPLOAD_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet", ".html", ".htm", *CRAWL_SUFFIXES)


@dataclass
class Submission:
    """A job as sent: its settings and, for JSON, its records; for an upload, the file on disk and its
    SHA-256 (its records are read into the job after the 202, by the job runner)."""

    settings: JobSettings
    records: Iterable[InputRecord] = ()
    name: str | None = None
    path: Path | None = None
    digest: str | None = None


async def _parse(request: Request, store: JobStore) -> Submission:
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
        return Submission(body, records)
    if content_type.startswith("multipart/form-data"):
        return await _upload(request, store)
    raise ApiError(415, "unsupported_media_type", "send JSON documents or a multipart file upload")


async def _upload(request: Request, store: JobStore) -> Submission:
    """The uploaded archive, kept on disk (the multipart parser spools it there as it arrives; then it is
    copied beside the job store, where its job keeps it until its records are read): memory stays flat
    whatever the file's size."""
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise ApiError(422, "invalid_request", "upload a JSONL, CSV or Parquet file in the 'file' field", "file")
    try:
        raw = form.get("options")
        options = JobSettings.model_validate_json(raw if isinstance(raw, str) and raw else "{}")
    except ValidationError as error:
        raise ApiError(422, "invalid_request", f"options: {error.errors()[0]['msg']}", "options") from None
    suffix = file_suffix(Path(upload.filename or ""))
    if suffix not in UPLOAD_SUFFIXES:
        message = f"the file must be one of {', '.join(UPLOAD_SUFFIXES)}"
        raise ApiError(415, "unsupported_media_type", message, "file")
    path, digest = await asyncio.to_thread(_save, upload.file, suffix, store.uploads)
    try:
        await asyncio.to_thread(check_text_field, path, options.text_field)
    except MissingFieldError as error:
        path.unlink(missing_ok=True)
        message = f"{error} (set text_field in options)"
        raise ApiError(422, "missing_field", message, "options.text_field", choices=error.fields) from None
    except InputFormatError as error:
        path.unlink(missing_ok=True)
        raise ApiError(422, "invalid_request", str(error), "file") from None
    return Submission(options, (), Path(upload.filename or "").name or None, path, digest)


def _save(source: BinaryIO, suffix: str, folder: Path) -> tuple[Path, str]:
    """Copy the spooled upload to a named file (readers need a path), hashing it on the way."""
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False, dir=folder, prefix="incoming-") as handle:
        while block := source.read(1 << 20):
            digest.update(block)
            handle.write(block)
    return Path(handle.name), digest.hexdigest()


class JobUpload(BaseModel):
    file: bytes = Field(
        description="a .jsonl, .csv, .parquet file of records, a saved web page or a .warc(.gz) crawl",
        json_schema_extra={"format": "binary"},
    )
    options: str | None = Field(default=None, description="JobSettings as a JSON string")


@router.post(
    "/v1/jobs",
    status_code=202,
    response_model=JobOut,
    responses=CREATE_ERRORS,
    openapi_extra=request_body({"application/json": schema_of(JobRequest)}),
)
async def create_job(request: Request, pool: PoolDep, settings: SettingsDep, store: StoreDep, key: CallerDep) -> JobOut:
    """Documents as JSON (a multipart upload is taken here too, as before ``/v1/uploads`` existed)."""
    return await _create(request, pool, settings, store, key)


@router.post(
    "/v1/uploads",
    status_code=202,
    response_model=JobOut,
    responses=CREATE_ERRORS,
    # a route of its own: one content type per operation is what OpenAPI client generators handle
    openapi_extra=request_body({"multipart/form-data": schema_of(JobUpload)}),
)
async def upload_job(request: Request, pool: PoolDep, settings: SettingsDep, store: StoreDep, key: CallerDep) -> JobOut:
    """A .jsonl, .csv or .parquet file of records (multipart ``file``, optional ``options`` JSON string).
    A text field in no record is answered 422 ``missing_field`` with the file's fields in ``choices``."""
    return await _create(request, pool, settings, store, key)


async def _create(request: Request, pool: ModelPool, settings: Settings, store: JobStore, key: ApiKey | None) -> JobOut:
    idempotency_key = request.headers.get("idempotency-key") or None
    if idempotency_key is not None and len(idempotency_key) > 255:
        raise ApiError(
            422, "invalid_request", "the Idempotency-Key header is longer than 255 characters", "Idempotency-Key"
        )
    if idempotency_key is not None:  # a retried request: its job, before the body is read again
        earlier = await asyncio.to_thread(store.find_idempotent, key.id if key else None, idempotency_key)
        if earlier is not None:
            return job_out(earlier, f"a request with this Idempotency-Key made job {earlier.id}", True)
    submission = await _parse(request, store)  # after the key was checked: nothing is read before
    try:
        return await _queue(request, submission, pool, settings, store, key, idempotency_key)
    finally:
        if submission.path is not None:
            submission.path.unlink(missing_ok=True)


async def _queue(
    request: Request,
    submission: Submission,
    pool: ModelPool,
    settings: Settings,
    store: JobStore,
    key: ApiKey | None,
    idempotency_key: str | None,
) -> JobOut:
    options = submission.settings
    if pool.loading and options.engine != "extractive":
        raise ApiError(503, "model_unavailable", "models are still loading; retry shortly", "engine", 10)
    plan = pool.plan_summary(
        options.engine, options.model, options.options.overrides(), options.sentences, options.max_words
    )
    if options.translate_to:
        pool.translation(translate_task("vi", "en"), "translate_to")  # refused now, not when the job runs
    job_options = JobOptions(
        plan, options.translate_to, options.allow_any_language, options.format, options.text_field, options.id_field
    )
    owner = key.id if key else None

    def admit(count: int, characters: int) -> None:  # once every record is read
        # (the key's characters per minute are charged batch by batch as the job runs: paced, not refused)
        if not count:
            raise ApiError(422, "no_texts", "the job has no records", "documents")

    if submission.path is not None and submission.digest is not None:
        # an upload: answered at once, its records read into the job afterwards (with progress); the same
        # file with the same options, or the same Idempotency-Key, is the same job, even while it is read
        try:
            job, kept = await asyncio.to_thread(
                store.open_upload,
                job_options,
                owner,
                submission.name,
                submission.digest,
                idempotency_key,
                submission.path,
            )
        except StorageFull as error:
            raise storage_error(error) from None
        if kept is None:
            return job_out(job, f"this file was uploaded before with the same options: job {job.id}", True)
        request.app.state.job_runner.read_upload(job.id, kept, job_options, admit)
        return job_out(job, plan.note)

    try:
        job = await asyncio.to_thread(
            store.create,
            job_options,
            submission.records,
            owner,
            submission.name,
            max_records=settings.max_job_records,
            admit=admit,
            idempotency_key=idempotency_key,
        )
    except TooManyRecords as error:
        raise ApiError(422, "too_many_texts", str(error), "documents") from None
    except StorageFull as error:
        raise storage_error(error) from None
    request.app.state.job_runner.wake()
    return job_out(job, plan.note)


def storage_error(error: StorageFull) -> ApiError:
    if error.scope == "key":
        return ApiError(413, "storage_quota", str(error), "documents")
    return ApiError(507, "storage_full", str(error), "documents")


async def _job(store: JobStore, job_id: str, key: ApiKey | None) -> Job:
    """The caller's job; another key's job is reported as missing, exactly like an unknown id."""
    job = await asyncio.to_thread(store.get, job_id, key.id if key else None)
    if job is None:
        raise ApiError(404, "not_found", f"no job {job_id!r}", "job_id")
    return job


@router.get("/v1/jobs", response_model=JobList, responses=ERRORS)
async def list_jobs(store: StoreDep, key: CallerDep, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> JobList:
    """The caller's most recent jobs, newest first (kept in the server's database across restarts)."""
    jobs = await asyncio.to_thread(store.recent, key.id if key else None, limit)
    return JobList(jobs=[job_out(job) for job in jobs])


@router.get("/v1/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
async def get_job(job_id: str, store: StoreDep, key: CallerDep) -> JobOut:
    return job_out(await _job(store, job_id, key))


KEEPALIVE_SECONDS = 15.0  # a quiet stream gets a comment this often (and the job is read again)

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
    responses={
        200: {
            "content": {media: {"schema": {"type": "string"}} for media in ("application/x-ndjson", "text/csv")},
            "description": "JSONL: one JSON object per finished record; format=csv: one CSV row per record",
        },
        **ERRORS,
    },
)
async def job_results(
    job_id: str, store: StoreDep, key: CallerDep, format: Literal["jsonl", "csv"] = "jsonl"
) -> StreamingResponse:
    """The results so far in submission order: JSONL (one object per finished record) or CSV
    (``format=csv``: one row per record, flags as JSON). Downloaded as ``<job id>.<format>``."""
    await _job(store, job_id, key)
    disposition = {"Content-Disposition": f'attachment; filename="{job_id}.{format}"'}
    if format == "csv":
        return StreamingResponse(csv_lines(store.results(job_id)), media_type="text/csv", headers=disposition)
    return StreamingResponse(store.results(job_id), media_type="application/x-ndjson", headers=disposition)


@router.get(
    "/v1/jobs/{job_id}/events",
    response_class=StreamingResponse,
    responses=_streamed("text/event-stream", SSE_EVENT, "progress events until the job ends"),
)
async def job_events(job_id: str, request: Request, store: StoreDep, key: CallerDep) -> StreamingResponse:
    """Server-sent events: the job's status whenever it changes, until it ends."""
    owner = key.id if key else None
    await _job(store, job_id, key)

    changes: JobChanges = request.app.state.job_changes

    async def events() -> AsyncIterator[str]:
        # woken by the store's writes, not polling it; the response ends the stream when the client leaves
        last = None
        with changes.follow(job_id) as changed:
            while True:
                changed.clear()
                job = await asyncio.to_thread(store.get, job_id, owner)
                if job is None:  # deleted meanwhile
                    return
                payload = job_out(job).model_dump_json()
                if payload != last:
                    last = payload
                    yield f"event: progress\ndata: {payload}\n\n"
                if job.state in TERMINAL:
                    yield f"event: end\ndata: {json.dumps({'state': job.state})}\n\n"
                    return
                try:
                    await asyncio.wait_for(changed.wait(), timeout=KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"  # a comment: proxies keep the stream, a departed client is found

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


PURGE = "also delete the job's results and the job itself (then 204; the id is unknown afterwards)"


@router.delete(
    "/v1/jobs/{job_id}", response_model=JobOut, responses={**ERRORS, 204: {"description": "purged: nothing is left"}}
)
async def cancel_job(
    job_id: str, store: StoreDep, key: CallerDep, purge: Annotated[bool, Query(description=PURGE)] = False
) -> JobOut | Response:
    """Cancel a queued or running job and delete its stored input; results already written stay
    available until ``purge=true`` (or the server's retention setting) deletes them."""
    await _job(store, job_id, key)
    if purge:
        await asyncio.to_thread(store.purge, job_id)
        return Response(status_code=204)
    await asyncio.to_thread(store.set_state, job_id, "cancelled")
    await asyncio.to_thread(store.drop_inputs, job_id)
    return job_out(await _job(store, job_id, key))
