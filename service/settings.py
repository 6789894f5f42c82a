"""Server settings, from ``TOMTAT_*`` environment variables (pydantic-settings) or the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# CTranslate2's compute types (its documentation's "Quantization" page): a typo fails at start-up
ComputeType = Literal[
    "default",
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
]


class Settings(BaseSettings):
    """Every knob of the server; docs/settings.md is generated from these fields (scripts/settings_doc.py)."""

    model_config = SettingsConfigDict(env_prefix="TOMTAT_", env_nested_delimiter="__", extra="ignore")

    # models
    models: list[str] = Field(default_factory=list, description="registry names or paths to load; empty: all present")
    checkpoint_dir: Path | None = Field(
        default=None, description="where checkpoints live (default: ~/.cache/tomtat/checkpoints)"
    )
    backend: Literal["auto", "transformers", "ctranslate2"] = Field(
        default="auto", description="auto (CTranslate2 where a converted model is found), transformers or ctranslate2"
    )
    device: Literal["auto", "cpu", "cuda"] = Field(default="auto", description="auto, cpu or cuda")
    compute_type: ComputeType | None = Field(
        default=None, description="CTranslate2 compute type (default int8 on CPU, bfloat16 on a GPU that has it)"
    )
    threads: int = Field(
        default=0, ge=0, description="CPU threads per backend (0: library default; CTranslate2: every core)"
    )
    parallel_batches: int = Field(
        default=0,
        ge=0,
        description="CTranslate2: batches run at once, all models together "
        "(0: one per CPU thread, at most 4, on CPU; 1 on GPU)",
    )
    cpu_workers: int = Field(
        default=0,
        ge=0,
        le=64,
        description="processes that read articles and check facts beside the models "
        "(0: threads of the server process; worth it where the models leave cores free, as on a GPU host)",
    )
    extractive_sentences: int | None = Field(
        default=None,
        ge=1,
        le=20,
        description="sentences the extractive engine keeps when a request says none (unset: up to 3 within 45 words)",
    )
    extractive_max_words: int | None = Field(
        default=None, ge=5, le=1000, description="the extractive engine's word budget when a request says none"
    )
    translation_segment_tokens: int = Field(
        default=128, ge=16, le=1024, description="sentences are packed into translation segments of this many tokens"
    )

    # limits
    max_chars: int = Field(default=100_000, ge=1, description="characters per text")
    max_texts: int = Field(default=64, ge=1, description="texts per request")
    max_body_bytes: int = Field(default=4_000_000, ge=1024, description="request body size, checked before parsing")
    max_upload_bytes: int = Field(
        default=20_000_000_000, ge=1024, description="an archive file uploaded to a job (streamed to disk)"
    )
    max_queue: int = Field(default=512, ge=1, description="texts waiting per worker before 429")

    # dynamic batching
    max_wait_ms: float = Field(default=10.0, ge=0, description="how long a worker waits to fill a batch")
    max_batch_size: int = Field(default=16, ge=1, description="texts per model batch")
    max_batch_tokens: int = Field(default=16384, ge=64, description="input tokens per model batch")
    keep_lane_seconds: float = Field(
        default=60.0,
        ge=0,
        description="where batches run side by side: after a short request, one lane is kept for such "
        "requests this long (0: never)",
    )

    # jobs
    data_dir: Path = Field(
        default=Path("~/.cache/tomtat/data").expanduser(), description="where the jobs database (SQLite) lives"
    )
    max_job_records: int = Field(default=1_000_000, ge=1, description="records per job")
    max_stored_bytes_per_key: int | None = Field(
        default=25_000_000_000,
        ge=0,
        description="bytes of job inputs, results and unread uploads one API key (without keys: everyone) may keep",
    )
    max_stored_bytes: int | None = Field(
        default=100_000_000_000, ge=0, description="bytes of job inputs, results and unread uploads, all keys together"
    )
    job_retention_seconds: int = Field(
        default=0, ge=0, description="a finished job (its results too) is deleted this long after it ends; 0: kept"
    )
    result_cache: bool = Field(
        default=False, description="answer an article summarized before (same model and options) from a cache"
    )
    result_cache_entries: int = Field(default=100_000, ge=1, description="summaries the result cache keeps (LRU)")

    # access control (off by default)
    require_api_keys: bool = Field(default=False, description="every API call needs a key (tomtat keys add)")
    metrics_token: str | None = Field(default=None, description="a bearer token /metrics requires, if set")
    show_model_paths: bool = Field(default=False, description="/v1/models shows each checkpoint's folder")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed by CORS (none: closed)")
    suggestions: bool = Field(
        default=False, description="accept corrections on LibreTranslate's /suggest (stored for export)"
    )
    translated_file_ttl_seconds: int = Field(
        default=1800, ge=1, description="how long a translated file waits for its download (/translate_file)"
    )
    lt_cors_origins: list[str] = Field(
        default_factory=lambda: ["*"],
        description="origins allowed to call the LibreTranslate routes from a browser (LibreTranslate: any)",
    )

    # server
    shutdown_grace_seconds: float = Field(
        default=30.0, ge=0, description="on SIGTERM: how long in-flight requests and the running job batch may finish"
    )
    max_connections: int = Field(
        default=1000, ge=1, description="connections and requests at once; beyond it uvicorn answers 503 at once"
    )
    keep_alive_seconds: int = Field(default=5, ge=1, description="an idle keep-alive connection is closed after this")
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, description="a connection whose request header has not arrived within this is closed"
    )
    body_stall_seconds: float = Field(
        default=60.0, gt=0, description="a request body that stops arriving this long is answered 408"
    )
    host: str = Field(default="127.0.0.1", description="listen address (--host)")
    port: int = Field(default=8000, ge=0, le=65535, description="listen port (--port)")
