"""The package boundaries and the public surface that other code builds on."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nlp

ROOT = Path(__file__).resolve().parent.parent


def test_nlp_imports_nothing_from_service_nor_web_or_database_libraries() -> None:
    forbidden = ("service", "litestar", "sqlalchemy", "alembic", "jinja2")
    offenders = []
    for path in (ROOT / "nlp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert offenders == []


def test_importing_nlp_loads_no_service_module() -> None:
    code = "import sys, nlp; print(sorted(m for m in sys.modules if m.split('.')[0] == 'service'))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == "[]"


def test_public_surface_of_nlp_is_deliberate() -> None:
    assert sorted(nlp.__all__) == [
        "Analysis", "Analyzer", "MAX_TEXT_LENGTH", "PIISpan", "Redactor", "SUPPORTED", "Taxonomy",
        "TaxonomyError", "ThemeDef", "ThemeHit", "ThemeTerms",
    ]
    for name in nlp.__all__:
        assert hasattr(nlp, name)


def test_every_data_file_the_code_reads_is_shipped_in_the_package() -> None:
    import fnmatch
    import tomllib

    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    missing = []
    for package, folder in (("nlp", ROOT / "nlp" / "data"), ("service", ROOT / "service")):
        for path in folder.rglob("*"):
            relative = path.relative_to(ROOT / package).as_posix()
            if path.is_dir() or path.suffix == ".py" or "__pycache__" in relative or "/training/" in f"/{relative}":
                continue
            if not any(fnmatch.fnmatch(relative, pattern) for pattern in package_data[package]):
                missing.append(f"{package}/{relative}")
    for path in (ROOT / "templates").iterdir():
        if not any(fnmatch.fnmatch(path.name, pattern) for pattern in package_data["service.templates"]):
            missing.append(f"templates/{path.name}")
    assert missing == []


def test_every_package_folder_is_listed_for_installation() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {p.parent.relative_to(ROOT).as_posix().replace("/", ".") for p in ROOT.glob("[ns]*/**/__init__.py")}
    assert found - listed == set()
