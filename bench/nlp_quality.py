"""Scores ``lydhor analyze`` on labelled remarks and PII cases and prints the figures.

    python bench/nlp_quality.py [--eval DIR] [--remarks FILE]

By default it reads ``../shared/eval`` (remarks-dev.jsonl, pii-dev.jsonl) and, when present, the project's
own check set ``bench/data/remarks-check.jsonl``. Metrics as in the eval README: theme micro/macro F1
(overall and per language), sentiment accuracy and macro F1, language accuracy with the confusion
pairs, PII recall per kind and false redactions on lines without personal data.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
CHECK_SET = ROOT / "bench" / "data" / "remarks-check.jsonl"
SENTIMENTS = ("negative", "neutral", "positive", "mixed")


def run_cli(rows: list[dict], lang_hint: bool = False) -> dict[str, dict]:
    """Runs ``lydhor analyze`` on the rows' texts; answers the output keyed by id."""
    lines = []
    for row in rows:
        item = {"id": row["id"], "text": row["text"]}
        if lang_hint:
            item["lang"] = row["lang"]
        lines.append(json.dumps(item, ensure_ascii=False))
    command = [sys.executable, "-m", "service.cli", "analyze", "-"]
    proc = subprocess.run(
        command,
        input="\n".join(lines).encode(),
        capture_output=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr.decode())
    return {o["id"]: o for o in map(json.loads, proc.stdout.decode().splitlines())}


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def theme_scores(rows: list[dict], out: dict[str, dict]) -> dict[str, float]:
    counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    exact = 0
    themes = sorted({t for r in rows for t in r["themes"]} | {t for o in out.values() for t in o["themes"]})
    for row in rows:
        gold, pred = set(row["themes"]), set(out[row["id"]]["themes"])
        exact += gold == pred
        for t in themes:
            c = counts[t]
            c[0] += t in gold and t in pred
            c[1] += t in pred and t not in gold
            c[2] += t in gold and t not in pred
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    gold_themes = sorted({t for r in rows for t in r["themes"]})
    return {
        "micro_f1": f1(tp, fp, fn),
        "macro_f1": sum(f1(*counts[t]) for t in gold_themes) / max(1, len(gold_themes)),
        "exact_match": exact / max(1, len(rows)),
        **{f"f1[{t}]": f1(*counts[t]) for t in gold_themes},
    }


def sentiment_scores(rows: list[dict], out: dict[str, dict]) -> dict[str, float]:
    correct = 0
    counts = {s: [0, 0, 0] for s in SENTIMENTS}
    for row in rows:
        gold, pred = row["sentiment"], out[row["id"]]["sentiment"]
        correct += gold == pred
        for s in SENTIMENTS:
            counts[s][0] += gold == s and pred == s
            counts[s][1] += pred == s and gold != s
            counts[s][2] += gold == s and pred != s
    return {"accuracy": correct / len(rows), "macro_f1": sum(f1(*c) for c in counts.values()) / len(SENTIMENTS)}


def language_scores(rows: list[dict], out: dict[str, dict]) -> tuple[float, collections.Counter]:
    confusion = collections.Counter((r["lang"], out[r["id"]]["lang"]) for r in rows)
    correct = sum(v for (g, p), v in confusion.items() if g == p)
    return correct / len(rows), confusion


def pii_scores(rows: list[dict], out: dict[str, dict]) -> dict[str, object]:
    caught = collections.Counter()
    total = collections.Counter()
    missed = []
    false_spans = 0
    for row in rows:
        result = out[row["id"]]
        for item in row["pii"]:
            total[item["kind"]] += 1
            if item["value"] in result["redacted"]:
                missed.append((row["id"], item["kind"], item["value"]))
            else:
                caught[item["kind"]] += 1
        if not row["pii"]:
            false_spans += len(result["pii"])
    return {
        "recall": sum(caught.values()) / max(1, sum(total.values())),
        "per_kind": {k: f"{caught[k]}/{total[k]}" for k in sorted(total)},
        "false_redactions": false_spans,
        "missed": missed,
    }


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report_remarks(name: str, rows: list[dict]) -> dict[str, float]:
    out = run_cli(rows)
    figures = {}
    print(f"== {name}: {len(rows)} remarks")
    themes = theme_scores(rows, out)
    figures.update({f"theme_{k}": v for k, v in themes.items() if not k.startswith("f1[")})
    print(f"themes      micro-F1 {themes['micro_f1']:.3f}  macro-F1 {themes['macro_f1']:.3f}  "
          f"exact set {themes['exact_match']:.3f}")
    for lang in ("da", "nb", "nn"):
        subset = [r for r in rows if r["lang"] == lang]
        if subset:
            s = theme_scores(subset, out)
            figures[f"theme_micro_f1_{lang}"] = s["micro_f1"]
            print(f"  {lang} ({len(subset):3})  micro-F1 {s['micro_f1']:.3f}  macro-F1 {s['macro_f1']:.3f}")
    print("  per theme: " + "  ".join(f"{k[3:-1]} {v:.2f}" for k, v in themes.items() if k.startswith("f1[")))
    sent = sentiment_scores(rows, out)
    figures.update({f"sentiment_{k}": v for k, v in sent.items()})
    print(f"sentiment   accuracy {sent['accuracy']:.3f}  macro-F1 {sent['macro_f1']:.3f}")
    accuracy, confusion = language_scores(rows, out)
    figures["language_accuracy"] = accuracy
    errors = ", ".join(f"{g}→{p} {n}" for (g, p), n in sorted(confusion.items()) if g != p) or "none"
    print(f"language    accuracy {accuracy:.3f}  (errors: {errors})")
    return figures


def report_pii(rows: list[dict]) -> dict[str, object]:
    out = run_cli(rows)
    scores = pii_scores(rows, out)
    print(f"== PII: {len(rows)} remarks")
    print(f"recall {scores['recall']:.3f}  per kind {scores['per_kind']}  "
          f"false redactions {scores['false_redactions']}")
    for missed in scores["missed"]:
        print(f"  missed {missed}")
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="folder with the shared eval files")
    parser.add_argument("--remarks", type=Path, action="append", help="extra labelled remarks (JSON Lines)")
    args = parser.parse_args()
    if not args.eval.is_dir():
        print(f"no eval folder at {args.eval}", file=sys.stderr)
        return 2
    report_remarks("dev remarks", read_jsonl(args.eval / "remarks-dev.jsonl"))
    report_pii(read_jsonl(args.eval / "pii-dev.jsonl"))
    for path in [CHECK_SET] if CHECK_SET.exists() and not args.remarks else args.remarks or []:
        report_remarks(f"{path.name}", read_jsonl(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
