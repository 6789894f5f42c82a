"""The newsroom's own database as archive input and output, through SQLAlchemy (SQLite, PostgreSQL, …).

Input: ``--query`` over an SQLAlchemy URL, streamed (a server-side cursor, ``yield_per``): never the
whole table in memory. Output: rows in a table (``--output-table``, created if missing) or one column
of a table updated in place (``--update-column``). Each window of results is committed in one
transaction together with its resume markers (table ``tomtat_done``), so a ``kill -9`` loses no
committed result and a rerun writes no row twice. Needs ``pip install 'tomtat[sql]'``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tomtat.service.archive.input_record import InputRecord
from tomtat.service.archive.records import RETRYABLE_ERRORS, InputFormatError, from_mapping

STREAM_ROWS = 1000  # rows fetched from the server at a time
MARKERS = "tomtat_done"  # (run, id, error code): what a rerun skips


def is_url(location: str) -> bool:
    return "://" in str(location)


def _sqlalchemy() -> Any:
    try:
        import sqlalchemy
    except ImportError:
        raise InputFormatError("SQL inputs and outputs need SQLAlchemy: pip install 'tomtat[sql]'") from None
    return sqlalchemy


def engine_for(url: str) -> Any:
    sa = _sqlalchemy()
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as error:  # a malformed URL, a driver not installed
        raise InputFormatError(f"database {url!r}: {error}") from None
    if engine.dialect.name == "sqlite":  # readers and the writer side by side: WAL lets both go on
        sa.event.listen(engine, "connect", _sqlite_wal)
    return engine


def _sqlite_wal(connection: Any, _: Any) -> None:
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA busy_timeout=30000")


def query_fields(url: str, query: str) -> list[str]:
    """The columns the query returns (no row fetched)."""
    sa = _sqlalchemy()
    with engine_for(url).connect() as connection:
        try:
            result = connection.execution_options(stream_results=True).execute(sa.text(query))
        except sa.exc.SQLAlchemyError as error:
            raise InputFormatError(f"the query failed: {error.__class__.__name__}: {error.orig or error}") from None
        fields = list(result.keys())
        result.close()
    return fields


def query_id_is_integer(url: str, query: str, id_field: str) -> bool:
    """Whether the query's id column holds integers (WordPress's ``ID``, Drupal's ``entity_id``): the
    output table's id column then is an integer column too, so it joins back without a cast."""
    sa = _sqlalchemy()
    engine = engine_for(url)
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True).execute(sa.text(query))
        row = result.fetchone()
        result.close()
    engine.dispose()
    value = None if row is None else dict(row._mapping).get(id_field)
    return isinstance(value, int) and not isinstance(value, bool)


def read_sql(url: str, query: str, text_field: str, id_field: str) -> Iterator[InputRecord]:
    sa = _sqlalchemy()
    engine = engine_for(url)
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=STREAM_ROWS).execute(sa.text(query))
        for index, row in enumerate(result, start=1):
            yield from_mapping(dict(row._mapping), index, text_field, id_field)
    engine.dispose()


class SqlResultWriter:
    """``ResultWriter``'s contract over a database: ``done`` holds the ids of earlier runs, ``write``
    commits a window of results and their markers in one transaction."""

    def __init__(
        self,
        url: str,
        table: str,
        update_column: str | None = None,
        id_column: str = "id",
        retry_errors: bool = False,
        only_empty: bool = False,
        integer_ids: bool = False,
    ) -> None:
        sa = _sqlalchemy()
        self.only_empty = only_empty
        self.kept_existing = 0  # only_empty: rows whose column already held text (an editor's), not written
        self.sa = sa
        self.engine = engine_for(url)
        self.update_column = update_column
        self.integer_ids = integer_ids and not update_column  # the output table's id column: BIGINT
        self.run = f"{table}.{update_column}" if update_column else table
        metadata = sa.MetaData()
        self.markers = sa.Table(
            MARKERS,
            metadata,
            sa.Column("run", sa.String(255), primary_key=True),
            sa.Column("id", sa.String(512), primary_key=True),
            sa.Column("error_code", sa.String(64)),
        )
        if update_column:
            self.table = sa.Table(table, sa.MetaData(), autoload_with=self.engine)
            if update_column not in self.table.c or id_column not in self.table.c:
                columns = ", ".join(self.table.c.keys())
                raise InputFormatError(f"table {table} has no column {update_column!r} or {id_column!r}: {columns}")
            self.id_column = self.table.c[id_column]
        else:
            self.table = sa.Table(
                table,
                metadata,
                sa.Column("id", sa.BigInteger if integer_ids else sa.String(512), primary_key=True),
                *(sa.Column(name, sa.Text) for name in ("summary", "summary_en", "engine", "model")),
                sa.Column("input_tokens", sa.Integer),
                sa.Column("chunked", sa.Boolean),
                *(sa.Column(name, sa.Text) for name in ("duplicate_of", "error_code", "error_message")),
                *(sa.Column(name, sa.Text) for name in ("url", "title", "date", "flags", "flags_en")),
            )
        metadata.create_all(self.engine)  # the markers (and the output table) if missing
        self.repaired_bytes = 0
        self.retried = self.kept_errors = 0
        self.done = self._index(retry_errors)

    def _index(self, retry_errors: bool) -> set[str]:
        """Ids done by earlier runs; failed ones a rerun may fix are taken out to be done again."""
        sa, markers = self.sa, self.markers
        with self.engine.begin() as connection:
            rows = connection.execute(sa.select(markers.c.id, markers.c.error_code).where(markers.c.run == self.run))
            done, retry = set(), []
            for record_id, code in rows:
                if code and (retry_errors or code in RETRYABLE_ERRORS):
                    retry.append(record_id)
                else:
                    done.add(record_id)
                    self.kept_errors += bool(code)
            for start in range(0, len(retry), 500):
                chunk = retry[start : start + 500]
                connection.execute(markers.delete().where(markers.c.run == self.run, markers.c.id.in_(chunk)))
                if not self.update_column:
                    ids = [_integer(i) for i in chunk] if self.integer_ids else chunk
                    connection.execute(self.table.delete().where(self.table.c.id.in_(ids)))
            self.retried = len(retry)
        return done

    def write(self, results: list[dict[str, Any]]) -> None:
        """The window's results and their markers, committed together (all or nothing)."""
        if not results:
            return
        with self.engine.begin() as connection:
            if self.update_column:
                summaries = [r for r in results if "summary" in r]
                if summaries:
                    column = self.table.c[self.update_column]
                    statement = self.table.update().where(self.id_column == self.sa.bindparam("record_id"))
                    if self.only_empty:  # never over an editor's text: only NULL or blank cells
                        blank = self.sa.func.trim(self.sa.func.coalesce(column, "")) == ""
                        statement = statement.where(blank)
                    statement = statement.values({self.update_column: self.sa.bindparam("text")})
                    rows = [{"record_id": self._id_value(r["id"]), "text": r["summary"]} for r in summaries]
                    written = (
                        sum(connection.execute(statement, [row]).rowcount for row in rows) if self.only_empty else 0
                    )
                    if self.only_empty:
                        self.kept_existing += len(rows) - written
                    else:
                        connection.execute(statement, rows)
            else:
                rows = [_row(r) for r in results]
                if self.integer_ids:
                    for row in rows:
                        row["id"] = _integer(row["id"])
                connection.execute(self.table.insert(), rows)
            marks = [{"run": self.run, "id": str(r["id"]), "error_code": _code(r)} for r in results]
            connection.execute(self.markers.insert(), marks)
        self.done.update(str(r["id"]) for r in results)

    def _id_value(self, record_id: str) -> Any:
        """The record's id as its column holds it (WordPress's ``ID`` is a BIGINT: PostgreSQL compares no
        integer column with text)."""
        try:
            python_type = self.id_column.type.python_type
        except NotImplementedError:
            return record_id
        return int(record_id) if python_type is int else record_id

    def close(self) -> None:
        self.engine.dispose()


def _integer(record_id: str) -> int | str:
    """An id of an integer column as the integer (a record without an id keeps its ``#N`` name)."""
    return int(record_id) if record_id.lstrip("-").isdigit() else record_id


def _code(result: dict[str, Any]) -> str | None:
    error = result.get("error")
    return str(error.get("code")) if isinstance(error, dict) else None


def _row(result: dict[str, Any]) -> dict[str, Any]:
    found = result.get("error")
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    row = {name: result.get(name) for name in ("summary", "summary_en", "engine", "model", "input_tokens", "chunked")}
    row |= {name: result.get(name) for name in ("duplicate_of", "url", "title", "date")}
    row |= {"id": str(result["id"]), "error_code": error.get("code"), "error_message": error.get("message")}
    for name in ("flags", "flags_en"):
        row[name] = json.dumps(result[name], ensure_ascii=False) if name in result else None
    return row
