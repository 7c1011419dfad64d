"""The compiled build of nlp's hot modules: in use where it was built, and reading remarks exactly as
their Python sources do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nlp import compiled
from tests.conftest import ROOT, require_or_skip

TRAINING = ROOT / "nlp" / "data" / "training"

_ANALYSE = """
import json, sys
from nlp import Analyzer, compiled
import msgspec
analyzer = Analyzer()
texts = json.load(sys.stdin)
print(json.dumps({"compiled": compiled.compiled_in_use(),
                  "analyses": [msgspec.to_builtins(analyzer.analyze(t)) for t in texts]}))
"""


def _run(texts: list[str], pure: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "LYDHOR_PURE_PYTHON"}
    if pure:
        env["LYDHOR_PURE_PYTHON"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", _ANALYSE], input=json.dumps(texts), capture_output=True, text=True, cwd=ROOT,
        env=env, check=True,
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def remarks() -> list[str]:
    # Every eighth training remark (~870), and a few with personal data, odd spacing and other languages.
    rows = [json.loads(line) for path in sorted(TRAINING.glob("*.jsonl")) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows[::8]] + [
        "Ring på +45 22 33 44 55 eller skriv til ole@example.dk, CPR 010190-1234",
        "  Pakken  kom\tfor sent :)  ",
        "The parcel arrived broken and nobody answered",
        "",
    ]


def test_the_compiled_modules_are_in_use_where_they_were_built() -> None:
    if compiled.stale_modules() or os.environ.get("LYDHOR_PURE_PYTHON"):
        pytest.skip("this checkout runs nlp from source (changed since the build, or LYDHOR_PURE_PYTHON)")
    built = compiled.built_modules()
    if not built:
        require_or_skip("nlp was installed without compiling (LYDHOR_PURE_PYTHON=1 at install, or no C compiler)")
    assert built == list(compiled.COMPILED)
    assert compiled.compiled_in_use()


def test_compiled_and_interpreted_modules_read_remarks_alike(remarks: list[str]) -> None:
    fast, pure = _run(remarks, pure=False), _run(remarks, pure=True)
    assert pure["compiled"] is False
    assert fast["analyses"] == pure["analyses"]


def test_an_edited_source_runs_from_source(tmp_path: Path) -> None:
    # A copy of the package whose matching.py was edited after the build: the edit must take effect.
    copy = tmp_path / "nlp"
    subprocess.run(["cp", "-a", str(ROOT / "nlp"), str(copy)], check=True)
    source = copy / "matching.py"
    source.write_text(source.read_text("utf-8") + "\nEDITED = True\n", "utf-8")
    code = "import warnings, nlp.matching, nlp.compiled as c; print(getattr(nlp.matching, 'EDITED', False), c.compiled_in_use())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert proc.stdout.split() == ["True", "False"]

