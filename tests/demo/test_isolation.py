"""Only the demo's own tests import the demo app: every other test builds its world from
tests/factories/, so changing the demo data cannot change what a test means."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def _imports_demo(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "demo" or name.startswith("demo.") for name in names):
            return True
    return False


def test_no_test_outside_tests_demo_imports_the_demo_app():
    offenders = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if TESTS / "demo" not in path.parents and _imports_demo(path)
    ]
    assert offenders == []


def test_the_check_sees_an_import_of_the_demo_app(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text("from demo.core import seed_core\n", encoding="utf-8")
    assert _imports_demo(module)
    module.write_text("from tests.factories.world import build_world\n", encoding="utf-8")
    assert not _imports_demo(module)
