"""``tomtat batch`` over a newsroom database, SQLite and a real PostgreSQL cluster (initdb + pg_ctl in a
temp dir, a free port, as the ``postgres`` user when run as root): read by query, write a table, update
a column in place, and a ``kill -9`` mid-run then a rerun — every id once, no row written twice."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service_helpers import free_port
from tests.test_archive import article
from tests.test_cli import COMMAND
from tomtat.models.summarizer import ExtractiveSummarizer

sa = pytest.importorskip("sqlalchemy", reason="the sql extra is not installed")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
INITDB = shutil.which("initdb") or str(PG_BIN / "initdb")
ROWS = 60


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster; its URL. Skipped where Debian's postgresql is not installed."""
    if not Path(INITDB).exists():
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    pytest.importorskip("psycopg", reason="the sql extra is not installed")
    data = Path(tempfile.mkdtemp(prefix="tomtat-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(data, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    pg_ctl = str(Path(INITDB).resolve().parent / "pg_ctl")
    port = free_port()
    subprocess.run([*as_user, INITDB, "-D", str(data), "-A", "trust", "-U", "tomtat"], check=True, capture_output=True)
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = data / "server.log"  # the server must not hold our pipes open: its output goes to a file
    start = [*as_user, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]
    subprocess.run(start, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    try:
        yield f"postgresql+psycopg://tomtat@127.0.0.1:{port}/postgres"
    finally:
        stop = [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsroom.db'}"
    else:
        with postgres_cluster() as url:
            yield url


def fill(url: str, rows: int = ROWS) -> None:
    """The CMS's table: id, title, body, an empty summary column, and a trigger counting its writes."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS articles"))
        connection.execute(
            sa.text(
                "CREATE TABLE articles (id VARCHAR(20) PRIMARY KEY, title TEXT, body TEXT, summary TEXT, "
                "writes INTEGER NOT NULL DEFAULT 0)"
            )
        )
        records = [{"id": f"n{i:04d}", "title": f"Tin {i}", "body": article(i) if i != 5 else " "} for i in range(rows)]
        connection.execute(sa.text("INSERT INTO articles (id, title, body) VALUES (:id, :title, :body)"), records)
        if engine.dialect.name == "sqlite":
            connection.execute(
                sa.text(
                    "CREATE TRIGGER count_writes AFTER UPDATE OF summary ON articles BEGIN "
                    "UPDATE articles SET writes = writes + 1 WHERE id = NEW.id; END"
                )
            )
        else:
            connection.execute(
                sa.text(
                    "CREATE FUNCTION count_writes() RETURNS trigger AS $$ BEGIN NEW.writes := OLD.writes + 1; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                sa.text(
                    "CREATE TRIGGER count_writes BEFORE UPDATE OF summary ON articles "
                    "FOR EACH ROW EXECUTE FUNCTION count_writes()"
                )
            )
    engine.dispose()


def select(url: str, query: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(sa.text(query))]
    engine.dispose()
    return rows


def batch(url: str, *options: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    command = [*COMMAND, "batch", url, "--query", "SELECT id, body FROM articles ORDER BY id", "--text-field", "body"]
    return subprocess.run(
        [*command, "-o", url, "--no-progress", *options], capture_output=True, text=True, timeout=timeout
    )


def test_read_by_query_write_a_table_and_update_in_place(database: str) -> None:
    fill(database)
    expected = {f"n{i:04d}": ExtractiveSummarizer().summarize([article(i)])[0].summary for i in range(ROWS) if i != 5}
    run = batch(database, "--output-table", "summaries", "--engine", "extractive")
    assert run.returncode == 5, run.stderr[-2000:]  # one empty article: exit 5, its row says why
    rows = select(database, "SELECT id, summary, error_code, engine FROM summaries ORDER BY id")
    assert [r[0] for r in rows] == [f"n{i:04d}" for i in range(ROWS)]
    assert {r[0]: r[1] for r in rows if r[1]} == expected
    assert [r[2] for r in rows if r[0] == "n0005"] == ["empty_text"]
    update = batch(database, "--output-table", "articles", "--update-column", "summary", "--engine", "extractive")
    assert update.returncode == 5, update.stderr[-2000:]
    updated = select(database, "SELECT id, summary, writes FROM articles ORDER BY id")
    assert {r[0]: r[1] for r in updated if r[1]} == expected
    assert {r[2] for r in updated if r[0] != "n0005"} == {1}
    again = batch(database, "--output-table", "articles", "--update-column", "summary", "--engine", "extractive")
    assert "0 summarized" in again.stderr and f"{ROWS} already done" in again.stderr  # nothing redone
    assert {r[0] for r in select(database, "SELECT writes FROM articles")} <= {0, 1}


@pytest.mark.slow  # not in the fast tier
def test_kill_9_mid_run_then_rerun_writes_each_row_once(database: str, model_dir: Path) -> None:
    fill(database, 160)
    options = ["--output-table", "articles", "--update-column", "summary", "--window", "8", "--batch-size", "8"]
    options += ["--model", str(model_dir / "vit5-base-vietnews")]
    query = "SELECT id, body FROM articles ORDER BY id"
    command = [*COMMAND, "batch", database, "--query", query, "--text-field", "body", "-o", database, "--no-progress"]
    process = subprocess.Popen([*command, *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while True:
        with contextlib.suppress(sa.exc.SQLAlchemyError):  # until the markers' table exists
            if select(database, "SELECT COUNT(*) FROM tomtat_done")[0][0] >= 16:
                break
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    committed = select(database, "SELECT COUNT(*) FROM tomtat_done")[0][0]
    assert committed < 160
    rerun = subprocess.run([*command, *options], capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 5, rerun.stderr[-2000:]
    assert f"{committed} already done" in rerun.stderr
    marks = [r[0] for r in select(database, "SELECT id FROM tomtat_done WHERE run = 'articles.summary'")]
    assert sorted(marks) == [f"n{i:04d}" for i in range(160)]  # every id once
    writes = dict(select(database, "SELECT id, writes FROM articles"))
    assert writes.pop("n0005") == 0 and set(writes.values()) == {1}  # no row written twice


@pytest.mark.slow  # not in the fast tier
def test_database_errors_are_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newsroom.db'}"
    fill(url, 3)
    cases = [
        ([url, "-o", "out.jsonl"], "needs --query"),
        ([url, "--query", "SELECT id, title FROM articles", "-o", "out.jsonl"], "field 'text' is in no record"),
        ([url, "--query", "SELECT * FROM nowhere", "-o", "out.jsonl"], "the query failed"),
        ([url, "--query", "SELECT id, body AS text FROM articles", "-o", url], "needs --output-table"),
        (["in.jsonl", "-o", "out.jsonl", "--update-column", "summary"], "--update-column needs a database"),
    ]
    (tmp_path / "in.jsonl").write_text('{"id": 1, "text": "x"}\n')
    for arguments, message in cases:
        run = subprocess.run([*COMMAND, "batch", *arguments], capture_output=True, text=True, cwd=tmp_path)
        assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr, (arguments, run.stderr)
