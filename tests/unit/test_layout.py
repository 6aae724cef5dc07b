"""The house rules of docs/decisions/019: pure packages stay pure, each feature lives in one package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
IMPURE = ("flask", "flask_login", "flask_wtf", "sqlalchemy", "app.models", "app.extensions")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (an import inside a function counts too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["exports", "analysis"])
def test_the_writers_and_the_analysis_touch_neither_flask_nor_the_database(package):
    offenders = {
        f"{path.relative_to(APP)}: {name}"
        for path in sorted((APP / package).rglob("*.py"))
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in IMPURE)
    }
    assert not offenders


def test_the_peer_benchmarking_feature_is_one_package():
    retired = ["peers", "peer_link", "crime", "downloads", "surveys"]
    assert [name for name in retired if (APP / name).exists()] == []
    assert {"peer", "crime"} <= {p.name for p in (APP / "benchmarking").iterdir() if p.is_dir()}


def test_no_module_imports_a_retired_package():
    retired = ("app.peers", "app.peer_link", "app.crime", "app.downloads", "app.surveys")
    root = APP.parent
    offenders = {
        f"{path.relative_to(root)}: {name}"
        for folder in ("app", "tests", "benchmarks")
        for path in sorted((root / folder).rglob("*.py"))
        for name in imported_modules(path)
        if any(name == old or name.startswith(old + ".") for old in retired)
    }
    assert not offenders
