"""A Hugging Face–compatible hub on 127.0.0.1, for tests: exactly the routes ``huggingface_hub`` calls.

- ``GET /api/models/{repo}[/revision/{rev}]``: repo info (commit sha, file list);
- ``GET /api/models/{repo}/tree/{rev}[/{path}]``: the file tree (git blob ids, LFS sha256 and size);
- ``HEAD|GET /{repo}/resolve/{rev}/{path}``: the file, with ``X-Repo-Commit``, ``ETag`` /
  ``X-Linked-Etag``, ``X-Linked-Size`` and HTTP ``Range`` (resumed downloads).

Each repo has commits (sha -> files) and branches (name -> sha). The server counts the bytes it
sends per file, and can send a file slowly (so a test can kill a download in the middle of it).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

LFS_SUFFIXES = (".safetensors", ".bin", ".msgpack", ".h5", ".onnx", ".model", ".spm")
CHUNK = 16 * 1024


@dataclass
class Repo:
    commits: dict[str, dict[str, bytes]]  # commit sha -> path -> bytes
    branches: dict[str, str]  # branch name -> commit sha

    def resolve(self, revision: str) -> str | None:
        if revision in self.branches:
            return self.branches[revision]
        return revision if revision in self.commits else None


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def commit_sha(files: dict[str, bytes]) -> str:
    digest = hashlib.sha1()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha1(files[path]).digest())
    return digest.hexdigest()


@dataclass
class Hub:
    repos: dict[str, Repo] = field(default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)  # "repo/path" -> bytes sent
    # path -> (bytes sent at full speed, then seconds between 16 KiB chunks)
    slow: dict[str, tuple[int, float]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def add_commit(self, repo_id: str, files: dict[str, bytes], branch: str | None = "main") -> str:
        repo = self.repos.setdefault(repo_id, Repo({}, {}))
        sha = commit_sha(files)
        repo.commits[sha] = files
        if branch:
            repo.branches[branch] = sha
        return sha


def _entry(path: str, data: bytes) -> dict[str, object]:
    entry: dict[str, object] = {"type": "file", "oid": git_blob_id(data), "size": len(data), "path": path}
    if path.endswith(LFS_SUFFIXES):
        entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
    return entry


class _Handler(BaseHTTPRequestHandler):
    hub: Hub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        self.hub.requests.append(f"{self.command} {self.path}")

    def _json(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 404:
            self.send_header("X-Error-Code", "RevisionNotFound" if "revision" in str(payload) else "RepoNotFound")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = unquote(urlparse(self.path).path)
        if path.startswith("/api/models/"):
            self._api(path.removeprefix("/api/models/"))
        elif "/resolve/" in path:
            repo_id, _, rest = path.lstrip("/").partition("/resolve/")
            revision, _, file_path = rest.partition("/")
            self._file(repo_id, revision, file_path)
        else:
            self._json(404, {"error": f"no route {path}"})

    def _repo(self, repo_id: str, revision: str) -> tuple[Repo, str] | None:
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            self._json(404, {"error": f"repository {repo_id} not found"})
            return None
        sha = repo.resolve(revision)
        if sha is None:
            self._json(404, {"error": f"revision {revision} not found"})
            return None
        return repo, sha

    def _api(self, rest: str) -> None:
        parts = rest.split("/")
        repo_id = "/".join(parts[:2])
        if len(parts) == 2 or parts[2] == "revision":
            found = self._repo(repo_id, parts[3] if len(parts) > 3 else "main")
            if found:
                repo, sha = found
                siblings = [{"rfilename": p} for p in sorted(repo.commits[sha])]
                self._json(200, {"id": repo_id, "modelId": repo_id, "sha": sha, "siblings": siblings, "private": False})
        elif parts[2] == "tree":
            found = self._repo(repo_id, parts[3])
            if found:
                repo, sha = found
                prefix = "/".join(parts[4:])
                files = repo.commits[sha]
                listed = [_entry(p, files[p]) for p in sorted(files) if p.startswith(prefix)]
                folders = sorted({p.rsplit("/", 1)[0] for p in files if "/" in p})
                listed += [{"type": "directory", "oid": "0" * 40, "size": 0, "path": d} for d in folders]
                self._json(200, listed)
        else:
            self._json(404, {"error": f"no route /api/models/{rest}"})

    def _file(self, repo_id: str, revision: str, file_path: str) -> None:
        found = self._repo(repo_id, revision)
        if not found:
            return
        repo, sha = found
        data = repo.commits[sha].get(file_path)
        if data is None:
            self._json(404, {"error": f"entry {file_path} not found"})
            return
        start = 0
        range_header = self.headers.get("Range", "")
        if range_header.startswith("bytes="):
            start = int(range_header.removeprefix("bytes=").split("-")[0] or 0)
        body = data[start:]
        self.send_response(206 if start else 200)
        self.send_header("X-Repo-Commit", sha)
        entry = _entry(file_path, data)
        lfs = entry.get("lfs")
        if isinstance(lfs, dict):
            self.send_header("X-Linked-Etag", f'"{lfs["oid"]}"')
            self.send_header("X-Linked-Size", str(len(data)))
        self.send_header("ETag", f'"{entry["oid"]}"')
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if self.command == "HEAD":
            return
        fast_bytes, pause = self.hub.slow.get(file_path, (0, 0.0))
        for offset in range(0, len(body), CHUNK):
            chunk = body[offset : offset + CHUNK]
            try:
                self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
            self.hub.sent[f"{repo_id}/{file_path}"] += len(chunk)
            if pause and start + offset >= fast_bytes:
                time.sleep(pause)


class HubServer:
    """``with HubServer(hub) as url:`` serves ``hub`` on a free loopback port."""

    def __init__(self, hub: Hub) -> None:
        handler = type("Handler", (_Handler,), {"hub": hub})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
