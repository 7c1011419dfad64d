"""Speed of ``Analyzer.analyze`` on one core, against spaCy's bare tokenizer on the same texts.

    python bench/nlp_speed.py [--eval DIR] [--rounds N]

Prints: start-up time (a fresh process importing nlp and building an Analyzer with da, nb and nn),
remarks/s for a cold first pass (empty caches) and for warm passes, the bare tokenizer's remarks/s,
the ratio of the two, the process's peak RSS with all three languages loaded, and whether nlp's hot
modules ran compiled. ``LYDHOR_PURE_PYTHON=1`` measures them interpreted.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"

_STARTUP = (
    "import time; t = time.perf_counter(); from nlp import Analyzer; a = Analyzer(); "
    "a.analyze('Pakken kom for sent'); print(time.perf_counter() - t)"
)


def startup_seconds() -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _STARTUP], capture_output=True, text=True, check=True, cwd=ROOT)
    total = time.perf_counter() - t0
    print(f"start-up        {float(proc.stdout):.2f} s to a ready Analyzer ({total:.2f} s with the interpreter)")
    return total


def timed_pair(first, second, texts: list[str], rounds: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The best remarks/s of each function over three trials, their trials taken in turn, so that on a
    machine shared with other work both meet the same load and their ratio stays meaningful."""
    best = [0.0, 0.0]
    for _ in range(3):
        for k, fn in enumerate((first, second)):
            t = time.perf_counter()
            for _ in range(rounds):
                for text in texts:
                    fn(text)
            best[k] = max(best[k], rounds * len(texts) / (time.perf_counter() - t))
    return best[0], best[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    path = args.eval / "remarks-dev.jsonl"
    if not path.exists():
        print(f"no dev remarks at {path}", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    startup_seconds()

    from nlp import Analyzer

    analyzer = Analyzer()
    t0 = time.perf_counter()
    for text in texts:
        analyzer.analyze(text)
    cold = len(texts) / (time.perf_counter() - t0)

    import spacy

    tokenizers = {lang: spacy.blank(lang).tokenizer for lang in ("da", "nb", "nn")}
    langs = {r["text"]: r["lang"] for r in rows}
    warm, bare = timed_pair(analyzer.analyze, lambda text: tokenizers[langs[text]](text), texts, args.rounds)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"analyze         {warm:,.0f} remarks/s warm ({cold:,.0f} remarks/s on the first, cold pass)")
    print(f"bare tokenizer  {bare:,.0f} remarks/s")
    print(f"ratio           {warm / bare:.2f} of the bare tokenizer's rate")
    print(f"peak RSS        {rss_mb:.0f} MB with da, nb and nn loaded")
    from nlp import compiled

    print(f"build           {'compiled (mypyc)' if compiled.compiled_in_use() else 'interpreted (not compiled, or LYDHOR_PURE_PYTHON)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
