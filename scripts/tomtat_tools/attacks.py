"""Replay the hostile-input families of issue 25 against a live ``tomtat serve`` and measure each.

For every attack: what the server answered (statuses, or a job's end state and error codes), the
server's peak RSS above what it held before the attack, the slowest ``/healthz`` while it ran (polled
every 0.2 s from another thread), and how long it took. ``scripts/attacks.py`` prints the table and
exits 1 when any answer is a 5xx, an RSS bound or the ``/healthz`` bound is passed.
"""

from __future__ import annotations

import gzip
import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx

from tomtat_tools.bench import proc_status_mb

WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
EXTRACTIVE = {"options": json.dumps({"engine": "extractive"})}
SENTENCE = "Ông Nguyễn Văn An gặp bà Trần Thị Bình tại Hà Nội ngày 3/4/2024 với 250 người. "


@dataclass
class Outcome:
    name: str
    answers: list[str] = field(default_factory=list)  # "413", or "job failed: …" / "job done: text_too_long×200"
    rss_growth_mb: float = 0.0
    slowest_healthz_ms: float = 0.0
    healthz_failures: int = 0
    seconds: float = 0.0

    def row(self) -> str:
        answers = ", ".join(self.answers)
        return (
            f"| {self.name} | {answers} | +{self.rss_growth_mb:.0f} | {self.slowest_healthz_ms:.0f}"
            f"{' (' + str(self.healthz_failures) + ' failed)' if self.healthz_failures else ''} | {self.seconds:.1f} |"
        )


class Watch:
    """``/healthz`` latency and the server's RSS, sampled from a thread while an attack runs."""

    def __init__(self, url: str, pid: int) -> None:
        self.url, self.pid = url, pid
        self.slowest_ms = 0.0
        self.failures = 0
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self.peak_mb = proc_status_mb(self.pid, "VmRSS")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    ok = client.get(self.url + "/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.slowest_ms = max(self.slowest_ms, (time.monotonic() - started) * 1000)
                self.failures += not ok
                self.peak_mb = max(self.peak_mb, proc_status_mb(self.pid, "VmRSS"))
                self._stop.wait(0.2)


# ---- the inputs, each small on the wire -------------------------------------------------------------


def warc_bomb(inflated_mb: int) -> bytes:
    """A ``.warc.gz`` with one HTML response of ``inflated_mb`` MB (a few hundred kB gzipped)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = ("<html><body>" + "<p>Giá vàng tăng mạnh trong phiên sáng nay.</p>" * (inflated_mb * 20_000)).encode()
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        "https://bao.example/a", "response", payload=io.BytesIO(page), http_headers=headers
    )
    writer.write_record(record)
    return out.getvalue()


def parquet_of_huge_rows(rows: int = 2_000, characters: int = 200_000) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    huge = ("Giá vàng tăng mạnh. " * (characters // 20 + 1))[:characters]
    table = pa.table({"id": [f"r{i}" for i in range(rows)], "text": pa.array([huge] * rows).dictionary_encode()})
    out = io.BytesIO()
    pq.write_table(table, out, use_dictionary=True, compression="zstd")
    return out.getvalue()


def docx_of(body: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{WORD}"><w:body>{body}</w:body></w:document>')
    return out.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
    '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
    'document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


# ---- the attacks ------------------------------------------------------------------------------------


def _job_end(client: httpx.Client, job_id: str, timeout: float = 600) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in ("done", "failed", "cancelled"):
            errors = ", ".join(f"{code}×{count}" for code, count in job.get("errors", {}).items())
            return (
                f"job {job['state']}"
                + (f": {errors}" if errors else "")
                + (f": {job['error'][:60]}" if job["error"] else "")
            )
        time.sleep(0.2)
    return "job still running"


def _upload(client: httpx.Client, name: str, data: bytes) -> list[str]:
    sent = client.post("/v1/uploads", files={"file": (name, data)}, data=EXTRACTIVE)
    if sent.status_code != 202:
        return [str(sent.status_code)]
    return ["202", _job_end(client, sent.json()["id"])]


def _slow_connections(url: str, count: int = 300, hold: float = 8.0) -> list[str]:
    """Connections that send a request line and 60 bytes of a promised 10 MB body, then stall."""
    where = urlparse(url)
    sockets = []
    for _ in range(count):
        connection = socket.create_connection((where.hostname, where.port))
        connection.sendall(
            b"POST /v1/summarize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000\r\n\r\n" + b'{"text": "' + b"a" * 50
        )
        sockets.append(connection)
    time.sleep(hold)
    for connection in sockets:
        connection.close()
    return [f"{count} stalled for {hold:.0f} s"]


def attacks(url: str) -> list[tuple[str, Callable[[httpx.Client], list[str]]]]:
    names = " ".join(["Nguyễn Văn An", "Trần Thị Bình", "Hà Nội", "Đà Nẵng", "Lê Hoàng Cường"] * 3000)[:100_000]
    huge_paragraph = docx_of(paragraph("Giá vàng tăng. " * 80_000))  # 1.2 M characters, a few kB
    many_paragraphs = docx_of("".join(paragraph(f"Đoạn {i}: giá vàng tăng.") for i in range(600)))
    broken = {
        "bad footer": b"PAR1" + b"\0" * 100 + b"PAR1",
        "json named .parquet": b'{"id": 1, "text": "x"}\n',
        "cut off": parquet_of_huge_rows(50, 1000)[:-200],
    }
    return [
        ("warc.gz bomb (inflates to 32 MB)", lambda c: _upload(c, "crawl.warc.gz", warc_bomb(32))),
        ("Parquet, 2,000 × 200 kB dictionary rows", lambda c: _upload(c, "rows.parquet", parquet_of_huge_rows())),
        (
            ".docx bomb to /v1/extract (100 MB XML)",
            lambda c: _post_file(c, "/v1/extract", "b.docx", docx_of("<w:p/>" * 16_000_000)),
        ),
        (
            ".docx, 100k nested <w:p>, /v1/extract",
            lambda c: _post_file(
                c, "/v1/extract", "n.docx", docx_of("<w:p><w:r><w:t>Chữ</w:t></w:r>" * 100_000 + "</w:p>" * 100_000)
            ),
        ),
        (
            "JSON job, one 1.24 M-character document",
            lambda c: _json_job(c, [{"id": "big", "text": SENTENCE * 15_500}]),
        ),
        (
            "/v1/summarize, 90k characters, 1,100 sentences",
            lambda c: [
                str(c.post("/v1/summarize", json={"text": SENTENCE * 1_100, "engine": "extractive"}).status_code)
            ],
        ),
        (
            "/v1/check, 100k characters of names",
            lambda c: [str(c.post("/v1/check", json={"source": names, "output": names[::-1][:100_000]}).status_code)],
        ),
        (
            "/translate_file, one 1.2 M-character paragraph",
            lambda c: _post_file(c, "/translate_file", "p.docx", huge_paragraph),
        ),
        (
            "/translate_file, .docx inflating to 100 MB",
            lambda c: _post_file(c, "/translate_file", "z.docx", docx_of("<w:p/>" * 16_000_000)),
        ),
        (
            "/translate_file, 600 paragraphs",
            lambda c: _post_file(c, "/translate_file", "m.docx", many_paragraphs),
        ),
        ("9 MB .html upload", lambda c: _upload(c, "page.html", _html_page(9))),
        ("3.9 MB .html upload (under the 4 MB page cap)", lambda c: _upload(c, "page.html", _html_page(3.9))),
        *[
            (f"broken Parquet ({kind})", lambda c, data=data: _upload(c, "broken.parquet", data))
            for kind, data in broken.items()
        ],
        ("300 connections stalled mid-body", lambda c: _slow_connections(url)),
        ("gzip body of 1 GB zeros (Content-Encoding)", lambda c: _gzip_body(c)),
    ]


def _post_file(client: httpx.Client, path: str, name: str, data: bytes) -> list[str]:
    """A file sent to ``/v1/extract`` or ``/translate_file`` (vi to en): the status it got."""
    form = {"source": "vi", "target": "en"} if path == "/translate_file" else None
    return [str(client.post(path, files={"file": (name, data)}, data=form).status_code)]


def _json_job(client: httpx.Client, documents: list[dict[str, str]]) -> list[str]:
    sent = client.post("/v1/jobs", json={"documents": documents, "engine": "extractive"})
    if sent.status_code != 202:
        return [str(sent.status_code)]
    return ["202", _job_end(client, sent.json()["id"])]


def _html_page(megabytes: float) -> bytes:
    paragraph = "<p>Giá vàng trong nước tăng mạnh trong phiên sáng nay.</p>".encode()
    page = b"<html><body>" + paragraph * int(megabytes * 1_000_000 / len(paragraph))
    return page[: int(megabytes * 1_000_000)]


def _gzip_body(client: httpx.Client) -> list[str]:
    """A request body the client compressed: the server must not inflate it (it does not take gzip)."""
    body = gzip.compress(b"\0" * 100_000_000) * 10  # 1 GB inflated, ~1 MB sent
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    return [str(client.post("/v1/summarize", content=body, headers=headers).status_code)]


def run_attacks(url: str, pid: int, only: str | None = None) -> list[Outcome]:
    outcomes = []
    with httpx.Client(base_url=url, timeout=600) as client:
        for name, attack in attacks(url):
            if only and only.lower() not in name.lower():
                continue
            outcome = Outcome(name)
            started = time.monotonic()
            with Watch(url, pid) as watch:
                before = watch.peak_mb
                try:
                    outcome.answers = attack(client)
                except httpx.HTTPError as error:
                    outcome.answers = [f"transport error: {type(error).__name__}"]
            outcome.seconds = time.monotonic() - started
            outcome.rss_growth_mb = watch.peak_mb - before
            outcome.slowest_healthz_ms, outcome.healthz_failures = watch.slowest_ms, watch.failures
            outcomes.append(outcome)
            print(outcome.row(), flush=True)
    return outcomes


def healthy(outcomes: list[Outcome], rss_bound_mb: float, healthz_bound_ms: float) -> bool:
    return all(
        not any(answer.startswith("5") or "transport error" in answer for answer in o.answers)
        and o.rss_growth_mb <= rss_bound_mb
        and o.slowest_healthz_ms <= healthz_bound_ms
        and not o.healthz_failures
        for o in outcomes
    )
