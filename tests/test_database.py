"""The SQLite stores: one connection factory, a schema version per store, files from before migrated."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from tomtat.service.api.auth import KeyStore
from tomtat.service.database import NewerSchemaError, connect, schema_version
from tomtat.service.jobs.store import MIGRATIONS, JobOptions, JobStore
from tomtat.service.runtime.keys import ExtractiveKey, SummaryPlan
from tomtat.service.suggestions import Suggestion, SuggestionStore

# the jobs tables as a tomtat from before owners, idempotency keys, web-page inputs and error counters wrote them
OLD_JOBS = """
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, options TEXT NOT NULL, total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, started REAL, finished REAL, error TEXT
);
CREATE TABLE job_inputs (
    job_id TEXT NOT NULL, seq INTEGER NOT NULL, record_id TEXT NOT NULL, text TEXT, error TEXT,
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE job_results (
    job_id TEXT NOT NULL, record_id TEXT NOT NULL, seq INTEGER NOT NULL, result TEXT NOT NULL,
    failed INTEGER NOT NULL, PRIMARY KEY (job_id, record_id)
);
"""


def _old_file(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(OLD_JOBS)
    options = JobOptions(SummaryPlan("extractive", ExtractiveKey(3))).to_json()
    db.execute("INSERT INTO jobs VALUES ('j1', 'done', ?, 3, 3, 2, 0, ?, NULL, NULL, NULL)", (options, time.time()))
    results = [
        ("a", {"id": "a", "error": {"code": "empty_text", "message": "empty"}}, 1),
        ("b", {"id": "b", "error": {"code": "empty_text", "message": "empty"}}, 1),
        ("c", {"id": "c", "summary": "Giá vàng tăng."}, 0),
    ]
    for seq, (record, result, failed) in enumerate(results):
        db.execute("INSERT INTO job_results VALUES ('j1', ?, ?, ?, ?)", (record, seq, json.dumps(result), failed))
    db.commit()
    db.close()


def test_a_file_from_before_schema_versions_is_migrated_once_and_keeps_its_jobs(tmp_path: Path) -> None:
    path = tmp_path / "tomtat.db"
    _old_file(path)
    store = JobStore(path)
    job = store.get("j1")
    assert job is not None and (job.state, job.done, job.failed) == ("done", 3, 2)
    assert job.errors == {"empty_text": 2}  # counted from the stored results, once
    lines = list(store.results("j1"))  # the results are still served, and measured for the storage limits
    assert lines and store.stored_bytes(None) == (sum(len(line.encode()) - 1 for line in lines),) * 2
    store.close()
    again = JobStore(path)  # opened again: nothing is applied twice
    assert again.get("j1").errors == {"empty_text": 2}  # type: ignore[union-attr]
    again.close()
    db = sqlite3.connect(path)
    assert schema_version(db, "jobs") == len(MIGRATIONS)
    assert {"owner", "idempotency_key", "source"} <= {row[1] for row in db.execute("PRAGMA table_info(jobs)")}


def test_stores_sharing_one_file_keep_their_own_versions(tmp_path: Path) -> None:
    path = tmp_path / "tomtat.db"
    keys, suggestions, jobs = KeyStore(path), SuggestionStore(path), JobStore(path)
    key, secret = keys.add("newsroom")
    suggestions.add(Suggestion("vi", "en", "Xin chào", "Hello"))
    assert keys.find(secret) == key and [s.suggestion for s in suggestions.all()] == ["Hello"]
    db = sqlite3.connect(path)
    versions = dict(db.execute("SELECT store, version FROM schema_versions").fetchall())
    assert versions == {"api_keys": 1, "suggestions": 1, "jobs": len(MIGRATIONS)}
    jobs.close()


def test_a_file_written_by_a_newer_tomtat_is_refused_with_its_path_and_versions(tmp_path: Path) -> None:
    path = tmp_path / "tomtat.db"
    connect(path, "suggestions", ["CREATE TABLE IF NOT EXISTS a (x)", "CREATE TABLE IF NOT EXISTS b (x)"]).close()
    with pytest.raises(NewerSchemaError, match=r"schema version 2, this tomtat knows 1") as refused:
        SuggestionStore(path)
    assert str(path) in str(refused.value)


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    connect(path, "thing", ["CREATE TABLE t (x)"]).close()
    with pytest.raises(sqlite3.OperationalError):
        connect(path, "thing", ["CREATE TABLE t (x)", "ALTER TABLE t ADD COLUMN y; ALTER TABLE nope ADD COLUMN z"])
    db = sqlite3.connect(path)
    assert schema_version(db, "thing") == 1
    assert [row[1] for row in db.execute("PRAGMA table_info(t)")] == ["x"]  # the first half was rolled back too


def test_serve_on_a_data_folder_from_a_newer_tomtat_says_so_in_one_line(bare_env, tmp_path: Path) -> None:
    from tests.test_cli import tomtat

    newer = ["CREATE TABLE IF NOT EXISTS x (y)"] * (len(MIGRATIONS) + 1)
    connect(tmp_path / "tomtat.db", "jobs", newer).close()
    refused = tomtat("serve", "--port", "0", env={**bare_env, "TOMTAT_DATA_DIR": str(tmp_path)})
    message = refused.stderr.decode()
    assert refused.returncode == 2 and "this tomtat knows" in message and "Traceback" not in message
