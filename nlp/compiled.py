"""Which of nlp's modules are compiled to C with mypyc when the distribution is built, and the fallback
to their sources.

The analysis runs once per note on the ingest path, so its hot modules are compiled (setup.py reads
``COMPILED`` from this file and records the digests of the sources it compiles in ``compiled.sums``). A
compiled module shadows its ``.py`` file, so after an edit the old compiled code would still run; when a
source no longer matches its recorded digest, or ``LYDHOR_PURE_PYTHON`` is set, every compiled module is
loaded from its source instead. It is all of them or none: compiled modules call each other directly,
past the import system.

This module imports nothing but the standard library: setup.py runs it before anything is installed.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

__all__ = ["COMPILED", "built_modules", "compiled_in_use", "stale_modules", "use_sources_when_stale", "write_sums"]

# Modules without msgspec Struct definitions (mypyc cannot build those with options) and without
# subclasses of other libraries' classes; nlp.lemmas subclasses simplemma's and stays interpreted.
COMPILED = ("analyzer", "keyphrases", "langid", "matching", "model", "pii", "sentiment", "themes", "tokens")

_HERE = Path(__file__).resolve().parent
SUMS = "compiled.sums"


def _digest(name: str) -> str:
    return hashlib.sha256((_HERE / f"{name}.py").read_bytes()).hexdigest()


def write_sums() -> None:
    """Record the digests of the sources about to be compiled (setup.py, at build time)."""
    (_HERE / SUMS).write_text(json.dumps({name: _digest(name) for name in COMPILED}, indent=1) + "\n", "utf-8")


def _compiled_file(name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = _HERE / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def built_modules() -> list[str]:
    """The modules of ``COMPILED`` that have a compiled build beside their source."""
    return [name for name in COMPILED if _compiled_file(name) is not None]


def stale_modules() -> list[str]:
    """The compiled modules whose source changed after they were built (file times are no guide: a wheel's
    installer and a checkout set them as they please)."""
    built = built_modules()
    if not built:
        return []
    try:
        sums = json.loads((_HERE / SUMS).read_text("utf-8"))
    except (OSError, ValueError):
        return built
    return [name for name in built if sums.get(name) != _digest(name)]


def compiled_in_use() -> bool:
    """Whether nlp's hot modules run compiled in this process."""
    module = sys.modules.get("nlp.matching")
    return module is not None and not str(module.__file__).endswith(".py")


class _Sources(MetaPathFinder):
    """Finds nlp's compiled modules as their ``.py`` files."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != "nlp" or name not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, _HERE / f"{name}.py")


def use_sources_when_stale() -> None:
    """Load the compiled modules from source when asked to, or when a source differs from what was built."""
    if any(isinstance(finder, _Sources) for finder in sys.meta_path):
        return
    stale = stale_modules()
    if stale:
        warnings.warn(
            f"nlp: {', '.join(stale)} changed since the last build; running every compiled module from source. "
            "Reinstall (make install, or pip install -e .) to compile them again.",
            stacklevel=2,
        )
    if stale or os.environ.get("LYDHOR_PURE_PYTHON"):
        sys.meta_path.insert(0, _Sources())
