"""The layout's rules, checked on the source: no import cycles, no router importing another router,
the service layer never loading torch, the product never importing the development tools."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"models": "tomtat.models", "service": "tomtat.service", "tomtat": "tomtat"}


def _module_graph() -> dict[str, set[str]]:
    """tomtat module -> tomtat modules it imports, at module level or inside a function (a deferred
    import still ties two modules)."""
    files: dict[str, Path] = {}
    for folder, prefix in PACKAGES.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = [p for p in path.relative_to(ROOT / folder).with_suffix("").parts if p != "__init__"]
            files[".".join([prefix, *parts])] = path
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tomtat"):
                imported.add(node.module if node.module in files else node.module.rsplit(".", 1)[0])
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
        graph[name] = imported - {name}
    return graph


def test_no_import_cycles() -> None:
    graph = _module_graph()
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dependency in sorted(graph.get(module, set()) & graph.keys()):
            if state.get(dependency) == "open":
                cycles.append([*path[path.index(dependency) :], dependency])
            elif dependency not in state:
                visit(dependency, [*path, dependency])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_routers_do_not_import_each_other_and_the_product_imports_no_tool() -> None:
    graph = _module_graph()
    for module, imported in graph.items():
        if ".routers." in module:
            assert not [m for m in imported if ".routers." in m], module
        assert not [m for m in imported if m.split(".")[0] in ("tomtat_tools", "httpx", "tests")], module
        if module.startswith("tomtat.service"):
            assert not imported & {"torch", "transformers", "ctranslate2"}, module


def test_the_server_and_cli_load_without_torch() -> None:
    code = (
        "import sys, tomtat.service.api.app, tomtat.service.cli.main\n"
        "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]"
