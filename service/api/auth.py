"""Access control (off by default): API keys stored hashed in SQLite, per-key request and character limits.

Keys are 32 random bytes, so a plain SHA-256 of the key is a safe stored form (no password
stretching needed) and lets a request's key be looked up by its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from tomtat.service.api.errors import ApiError
from tomtat.service.database import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE,
    requests_per_minute INTEGER NOT NULL, chars_per_minute INTEGER NOT NULL, created REAL NOT NULL
);
"""
WINDOW_S = 60.0


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    requests_per_minute: int
    chars_per_minute: int
    created: float


class KeyStore:
    """The ``api_keys`` table of the server's SQLite file (managed by ``tomtat keys``)."""

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path, "api_keys", [SCHEMA])
        self._lock = threading.Lock()

    def add(self, name: str, requests_per_minute: int = 60, chars_per_minute: int = 500_000) -> tuple[ApiKey, str]:
        """Create a key; the secret is returned once and only its hash is stored."""
        secret = "tt_" + secrets.token_urlsafe(32)
        key = ApiKey(secrets.token_hex(4), name, requests_per_minute, chars_per_minute, time.time())
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?)",
                    (key.id, name, _hash(secret), requests_per_minute, chars_per_minute, key.created),
                )
            except sqlite3.IntegrityError:
                raise ValueError(f"a key named {name!r} already exists") from None
        return key, secret

    def list(self) -> list[ApiKey]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, name, requests_per_minute, chars_per_minute, created FROM api_keys ORDER BY created"
            ).fetchall()
        return [ApiKey(*row) for row in rows]

    def remove(self, id_or_name: str) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM api_keys WHERE id = ? OR name = ?", (id_or_name, id_or_name))
        return cursor.rowcount > 0

    def get(self, key_id: str) -> ApiKey | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, requests_per_minute, chars_per_minute, created FROM api_keys WHERE id = ?",
                (key_id,),
            ).fetchone()
        return ApiKey(*row) if row else None

    def find(self, secret: str) -> ApiKey | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, requests_per_minute, chars_per_minute, created FROM api_keys WHERE hash = ?",
                (_hash(secret),),
            ).fetchone()
        return ApiKey(*row) if row else None


class Guard:
    """Checks keys and per-key sliding-window limits; does nothing when keys are not required."""

    def __init__(self, store: KeyStore, required: bool, metrics_token: str | None) -> None:
        self.store = store
        self.required = required
        self.metrics_token = metrics_token
        self._requests: dict[str, deque[float]] = {}
        self._chars: dict[str, deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def bearer(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        return header[7:].strip() if header.lower().startswith("bearer ") else None

    def authenticate(self, request: Request, api_key: str | None = None) -> ApiKey | None:
        """The caller's key, counted against its requests per minute (None when keys are off);
        401 without a valid key, 429 over the limit. Runs before any body is read."""
        if not self.required:
            return None
        secret = self.bearer(request) or api_key
        key = self.store.find(secret) if secret else None
        if key is None:
            raise ApiError(401, "unauthorized", "a valid API key is required (Authorization: Bearer <key>)", None)
        self._admit(key, 0)
        return key

    def charge(self, key: ApiKey | None, chars: int) -> None:
        """Count ``chars`` against the key's characters per minute (429 over it)."""
        if key is not None and chars:
            self._admit(key, chars, count_request=False)

    def pace(self, owner: str | None, chars: int) -> float:
        """A job's next batch of ``chars`` against its key's characters per minute: 0 when charged now,
        else the seconds to wait before asking again. A batch larger than the whole budget is charged
        once the window is empty, so a job bigger than a key's minute is paced, never refused."""
        key = self.store.get(owner) if self.required and owner is not None and chars else None
        if key is None:  # keys off, or the key was removed: its jobs are not held
            return 0.0
        now = time.monotonic()
        with self._lock:
            used = self._chars_in_window(key.id, now)
            if used and sum(c for _, c in used) + chars > key.chars_per_minute:
                return max(0.05, WINDOW_S - (now - used[0][0]))
            used.append((now, chars))
        return 0.0

    def _admit(self, key: ApiKey, chars: int, count_request: bool = True) -> None:
        now = time.monotonic()
        with self._lock:
            requests = self._requests.setdefault(key.id, deque())
            used = self._chars_in_window(key.id, now)
            while requests and now - requests[0] > WINDOW_S:
                requests.popleft()
            if count_request and len(requests) >= key.requests_per_minute:
                retry = max(1, int(WINDOW_S - (now - requests[0])) + 1)
                raise ApiError(429, "rate_limited", f"over {key.requests_per_minute} requests per minute", None, retry)
            if chars and sum(c for _, c in used) + chars > key.chars_per_minute:
                retry = max(1, int(WINDOW_S - (now - used[0][0])) + 1) if used else int(WINDOW_S)
                raise ApiError(429, "rate_limited", f"over {key.chars_per_minute} characters per minute", None, retry)
            if count_request:
                requests.append(now)
            if chars:
                used.append((now, chars))

    def _chars_in_window(self, key_id: str, now: float) -> deque[tuple[float, int]]:
        """The key's charges of the last minute, older ones dropped (called under the lock)."""
        used = self._chars.setdefault(key_id, deque())
        while used and now - used[0][0] > WINDOW_S:
            used.popleft()
        return used

    def check_metrics(self, request: Request) -> None:
        if self.metrics_token and not hmac.compare_digest(self.bearer(request) or "", self.metrics_token):
            raise ApiError(401, "unauthorized", "/metrics needs the metrics token (Authorization: Bearer <token>)")


def caller(request: Request) -> ApiKey | None:
    """The dependency every API router has: the caller's key (Bearer), checked before the body is read."""
    key: ApiKey | None = request.app.state.guard.authenticate(request)
    request.state.caller = key
    return key


def metrics_access(request: Request) -> None:
    """``/metrics``: its own token (when set), so scrapers need no API key."""
    request.app.state.guard.check_metrics(request)
