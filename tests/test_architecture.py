"""The shape of the code, as checks: one named path across tenants, no database vendor in the
domain, and no import circle among the project's modules.

The scans read the project's source (``config`` and the apps, migrations left out). Tests and
benchmarks are not scanned: they name the two connections on purpose, to watch them
(``databases=["default", "system"]``, a query capture on the system connection).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp

from servicedesk.db.aliases import SYSTEM_DB

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "config",
    "servicedesk",
    "tickets",
    "escalation",
    "feedback",
    "documents",
    "orders",
    "mailroom",
    "reports",
    "portal",
    "demo",
)

# The one module that reaches the system connection, and where the alias is defined and wired.
CROSS_TENANT_MODULE = "servicedesk/cross_tenant.py"
SYSTEM_PATH_ALLOWED = {
    CROSS_TENANT_MODULE,
    "servicedesk/db/aliases.py",  # the alias's name
    "config/settings/database.py",  # its connection settings
    "servicedesk/db/router.py",  # the two aliases are one database
}
SYSTEM_PATH_NAMES = {"SYSTEM_DB", "_base_manager"}
# The domain: every app but the core, whose servicedesk.db and cross_tenant answer for the vendor.
DOMAIN = ("orders/", "tickets/", "escalation/", "feedback/", "documents/", "mailroom/", "reports/", "portal/")


def _source_files() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), filename=str(path))


def _system_path_uses(tree: ast.Module) -> list[str]:
    """Where this module names the system connection: the alias constant or its value, the
    module that defines it, or a model's base manager (no tenant filter)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in SYSTEM_PATH_NAMES:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in SYSTEM_PATH_NAMES:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.alias) and node.name.split(".")[-1] in SYSTEM_PATH_NAMES:
            found.append(f"line {node.lineno}: import {node.name}")
        elif isinstance(node, ast.ImportFrom) and node.module == "servicedesk.db.aliases":
            found.append(f"line {node.lineno}: from servicedesk.db.aliases")
        elif isinstance(node, ast.Import) and any(a.name == "servicedesk.db.aliases" for a in node.names):
            found.append(f"line {node.lineno}: import servicedesk.db.aliases")
        elif isinstance(node, ast.Constant) and node.value in {SYSTEM_DB, *SYSTEM_PATH_NAMES}:
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


def test_only_the_cross_tenant_module_reaches_the_system_connection():
    uses = {path: _system_path_uses(tree) for path, tree in _source_files()}
    # The scan sees what it looks for: the module itself names the alias and the base manager.
    assert {use.split(": ")[1] for use in uses[CROSS_TENANT_MODULE]} >= {"SYSTEM_DB", "._base_manager"}
    outside = {path: found for path, found in uses.items() if found and path not in SYSTEM_PATH_ALLOWED}
    assert outside == {}, f"use servicedesk.cross_tenant instead: {outside}"


def _vendor_checks(tree: ast.Module) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "vendor"]


def test_the_domain_never_asks_which_database_it_is_on():
    checks = {
        path: lines for path, tree in _source_files() if path.startswith(DOMAIN) and (lines := _vendor_checks(tree))
    }
    assert checks == {}, "ask servicedesk.cross_tenant or servicedesk.db instead"


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return circles


def test_no_import_circle_among_the_projects_modules():
    """Every import counts: at module level, inside a function, or for type checking only."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert len(graph.modules) > 100  # the whole project was read
    circles = _circles(graph)
    chains = [graph.find_shortest_chain(importer=c[0], imported=c[1]) for c in circles]
    assert circles == [], f"import circles: {circles}; e.g. {chains}"


def test_the_circle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.services", "a.tasks", "b"):
        graph.add_module(module)
    graph.add_import(importer="a.tasks", imported="a.services")
    graph.add_import(importer="a.services", imported="a.tasks")
    graph.add_import(importer="b", imported="a.tasks")
    assert _circles(graph) == [["a.services", "a.tasks"]]
