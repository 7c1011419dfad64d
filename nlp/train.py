"""Trains the theme and sentiment models on the project's labelled remarks: ``python -m nlp.train``.

Reads ``data/training/*.jsonl`` (remarks written for training, in Danish, Bokmål and Nynorsk), turns each
into features with the lexicons (``Analyzer.featurize``), fits L2-regularised logistic regressions with
scikit-learn (a training-time dependency: ``pip install -e .[train]``; the same data gives the same file),
and writes ``data/model.json`` with the digest of everything it was trained on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from nlp.model import MODEL_FILE, LinearModel, ModelFile

__all__ = ["source_digest", "train", "main"]

DATA = Path(__file__).resolve().parent / "data"
SENTIMENTS = ["negative", "neutral", "positive", "mixed"]
MIN_COUNT = 2
# Inverse L2 strengths (scikit-learn's C): light, because the features are sparse and the remarks short;
# chosen by cross-validation on the training remarks.
C_THEMES = 3.0
C_SENTIMENT = 3.0
MAX_ITER = 3000
THRESHOLD = 0.25  # theme probability cut-off; `--cv` picks one by cross-validation instead
FOLDS = 4
PRUNE = 0.02  # weights below this are dropped: held-out scores stayed as they were, and the file halved


def source_digest() -> str:
    """A digest of the training remarks and of every lexicon the features come from."""
    digest = hashlib.sha256()
    files = sorted(DATA.glob("training/*.jsonl")) + sorted(DATA.glob("*/*.toml")) + sorted(DATA.glob("*.toml"))
    files += [Path(__file__).with_name("model.py"), Path(__file__)]
    for path in files:
        digest.update(path.relative_to(DATA.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_training() -> list[dict]:
    rows = []
    for path in sorted(DATA.glob("training/*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def _fit(x: Any, y: np.ndarray, softmax: bool, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """L2-regularised logistic regression: one binary model per column of ``y`` (themes), or one softmax
    model over its columns (sentiment); returns (weights: features x labels, bias)."""
    from sklearn.linear_model import LogisticRegression

    if softmax:
        fitted = LogisticRegression(C=strength, max_iter=MAX_ITER).fit(x, y.argmax(axis=1))
        return fitted.coef_.T, fitted.intercept_
    weights, bias = np.zeros((x.shape[1], y.shape[1])), np.zeros(y.shape[1])
    for k in range(y.shape[1]):
        fitted = LogisticRegression(C=strength, max_iter=MAX_ITER).fit(x, y[:, k])
        weights[:, k], bias[k] = fitted.coef_[0], fitted.intercept_[0]
    return weights, bias


def _best_threshold(x: Any, y: np.ndarray) -> float:
    """The theme threshold with the best cross-validated micro-F1."""
    folds = np.arange(x.shape[0]) % FOLDS
    probs = np.zeros_like(y, dtype=float)
    for fold in range(FOLDS):
        train, test = folds != fold, folds == fold
        w, b = _fit(x[train], y[train], softmax=False, strength=C_THEMES)
        probs[test] = 1.0 / (1.0 + np.exp(-np.clip(x[test] @ w + b, -30, 30)))
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.1, 0.71, 0.025):
        pred = probs >= threshold
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / (2 * tp + float((pred & (y == 0)).sum()) + float((~pred & (y == 1)).sum()))
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    print(f"theme threshold {best:.3f} (cross-validated micro-F1 {best_f1:.3f})")
    return best


def _summed(feats: list[tuple[str, float]]) -> dict[str, float]:
    """A remark's features by name, the values of a name given twice added up (as inference does)."""
    summed: dict[str, float] = {}
    for name, value in feats:
        summed[name] = summed.get(name, 0.0) + value
    return summed


def _linear(labels: list[str], w: np.ndarray, b: np.ndarray, names: list[str], **options: object) -> LinearModel:
    """The fitted weights as a model file keeps them: the non-zero ones (|w| >= PRUNE), column by column."""
    rows, cols = np.nonzero(np.abs(w) >= PRUNE)
    used = sorted(set(rows.tolist()))
    position = {row: i for i, row in enumerate(used)}
    return LinearModel(
        labels=labels,
        bias=[round(float(v), 4) for v in b],
        features=[names[row] for row in used],
        feature=[position[row] for row in rows.tolist()],
        label=cols.tolist(),
        weight=[round(float(v), 4) for v in w[rows, cols]],
        **options,  # type: ignore[arg-type]
    )


def train(cross_validate: bool = False) -> ModelFile:
    from scipy.sparse import csr_matrix

    from nlp.analyzer import Analyzer
    from nlp.taxonomy import Taxonomy

    rows = _read_training()
    taxonomy = Taxonomy.default()
    labels = taxonomy.ids
    analyzer = Analyzer(taxonomy, use_model=False)
    samples = [_summed(analyzer.featurize(r["text"], r["lang"])) for r in rows]
    counts: dict[str, int] = {}
    for sample in samples:
        for name in sample:
            counts[name] = counts.get(name, 0) + 1
    names = sorted(n for n, c in counts.items() if c >= MIN_COUNT)
    column = {n: i for i, n in enumerate(names)}
    entries = [(r, column[name], value) for r, sample in enumerate(samples) for name, value in sample.items() if name in column]
    at_row, at_col, values = (np.array(part) for part in zip(*entries))
    x = csr_matrix((values.astype(float), (at_row, at_col)), shape=(len(rows), len(names)))
    y_themes = np.array([[1.0 if t in r["themes"] else 0.0 for t in labels] for r in rows])
    y_sentiment = np.array([[1.0 if r["sentiment"] == s else 0.0 for s in SENTIMENTS] for r in rows])
    print(f"{len(rows)} remarks, {len(names)} features")
    threshold = _best_threshold(x, y_themes) if cross_validate else THRESHOLD
    w_t, b_t = _fit(x, y_themes, softmax=False, strength=C_THEMES)
    w_s, b_s = _fit(x, y_sentiment, softmax=True, strength=C_SENTIMENT)
    return ModelFile(
        source_digest=source_digest(),
        themes=_linear(labels, w_t, b_t, names, threshold=round(threshold, 3)),
        sentiment=_linear(SENTIMENTS, w_s, b_s, names, softmax=True),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if data/model.json is out of date")
    parser.add_argument("--cv", action="store_true", help="choose the theme threshold by cross-validation")
    args = parser.parse_args(argv)
    target = DATA / MODEL_FILE
    if args.check:
        current = msgspec.json.decode(target.read_bytes(), type=ModelFile).source_digest if target.exists() else ""
        ok = current == source_digest()
        print("model is up to date" if ok else "model is out of date: run python -m nlp.train")
        return 0 if ok else 1
    model = train(cross_validate=args.cv)
    target.write_bytes(msgspec.json.encode(model))
    print(f"wrote {target} ({target.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
