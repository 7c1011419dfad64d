"""Trains the theme and sentiment models on the project's labelled remarks: ``python -m nlp.train``.

Reads ``data/training/*.jsonl`` (remarks written for training, in Danish, Bokmål and Nynorsk), turns each
into features with the lexicons (``Analyzer.featurize``), fits L2-regularised logistic regressions by
full-batch gradient descent (deterministic: the same data gives the same file), and writes ``data/model.json`` with the digest of everything it was trained on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import msgspec
import numpy as np

from nlp.model import MODEL_FILE, LinearModel, ModelFile

__all__ = ["source_digest", "train", "main"]

DATA = Path(__file__).resolve().parent / "data"
SENTIMENTS = ["negative", "neutral", "positive", "mixed"]
MIN_COUNT = 2
L2 = 0.001  # light: the features are sparse and the remarks short; measured best on held-out remarks
STEPS = 1200
THRESHOLD = 0.3  # theme probability cut-off; `--cv` picks one by cross-validation instead
LEARNING_RATE = 0.1
FOLDS = 4
PRUNE = 1e-3


def source_digest() -> str:
    """A digest of the training remarks and of every lexicon the features come from."""
    digest = hashlib.sha256()
    files = sorted(DATA.glob("training/*.jsonl")) + sorted(DATA.glob("*/*.toml")) + sorted(DATA.glob("*.toml"))
    files += [Path(__file__).with_name("model.py")]
    for path in files:
        digest.update(path.relative_to(DATA.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_training() -> list[dict]:
    rows = []
    for path in sorted(DATA.glob("training/*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


class _Sparse:
    """The remarks' feature matrix by its non-zero entries: a remark has some forty features of twelve
    thousand, so the two products a training step needs cost a few milliseconds instead of seconds."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> None:
        self.shape = shape
        self._rows, self._cols, self._values = rows, cols, values
        # Entries in row order (for x @ w) and in column order (for x.T @ g), with where each group starts.
        self._by_row = np.argsort(rows, kind="stable")
        self._by_col = np.argsort(cols, kind="stable")
        self._row_starts, self._col_starts = _starts(rows[self._by_row]), _starts(cols[self._by_col])

    def __len__(self) -> int:
        return self.shape[0]

    def take(self, mask: np.ndarray) -> _Sparse:
        """The rows where ``mask`` is true."""
        keep = mask[self._rows]
        renumber = np.cumsum(mask) - 1
        return _Sparse(renumber[self._rows[keep]], self._cols[keep], self._values[keep], (int(mask.sum()), self.shape[1]))

    def dot(self, w: np.ndarray) -> np.ndarray:
        order = self._by_row
        return _grouped_sum(self._values[order, None] * w[self._cols[order]], self._rows[order], self._row_starts, (self.shape[0], w.shape[1]))

    def tdot(self, g: np.ndarray) -> np.ndarray:
        order = self._by_col
        return _grouped_sum(self._values[order, None] * g[self._rows[order]], self._cols[order], self._col_starts, (self.shape[1], g.shape[1]))


def _starts(sorted_keys: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def _grouped_sum(products: np.ndarray, keys: np.ndarray, starts: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape)
    if len(products):
        out[keys[starts]] = np.add.reduceat(products, starts, axis=0)
    return out


def _fit(x: _Sparse, y: np.ndarray, softmax: bool) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent with Adam on the mean log-loss plus an L2 penalty; returns (weights, bias)."""
    n, f = x.shape
    k = y.shape[1]
    w = np.zeros((f, k))
    b = np.zeros(k)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    for step in range(1, STEPS + 1):
        z = x.dot(w) + b
        if softmax:
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
        else:
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        grad = p - y
        g_w = x.tdot(grad) / n + L2 * w
        g_b = grad.mean(axis=0)
        for g, m, v, param in ((g_w, m_w, v_w, w), (g_b, m_b, v_b, b)):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            param -= LEARNING_RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w, b


def _best_threshold(x: _Sparse, y: np.ndarray) -> float:
    """The theme threshold with the best cross-validated micro-F1."""
    folds = np.arange(len(x)) % FOLDS
    probs = np.zeros_like(y, dtype=float)
    for fold in range(FOLDS):
        train, test = folds != fold, folds == fold
        w, b = _fit(x.take(train), y[train], softmax=False)
        probs[test] = 1.0 / (1.0 + np.exp(-np.clip(x.take(test).dot(w) + b, -30, 30)))
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.1, 0.71, 0.025):
        pred = probs >= threshold
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / (2 * tp + float((pred & (y == 0)).sum()) + float((~pred & (y == 1)).sum()))
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    print(f"theme threshold {best:.3f} (cross-validated micro-F1 {best_f1:.3f})")
    return best


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
    from nlp.analyzer import Analyzer
    from nlp.taxonomy import Taxonomy

    rows = _read_training()
    taxonomy = Taxonomy.default()
    labels = taxonomy.ids
    analyzer = Analyzer(taxonomy, use_model=False)
    samples = [dict(analyzer.featurize(r["text"], r["lang"])) for r in rows]
    counts: dict[str, int] = {}
    for sample in samples:
        for name in sample:
            counts[name] = counts.get(name, 0) + 1
    names = sorted(n for n, c in counts.items() if c >= MIN_COUNT)
    column = {n: i for i, n in enumerate(names)}
    entries = [(r, column[name], value) for r, sample in enumerate(samples) for name, value in sample.items() if name in column]
    at_row, at_col, values = (np.array(part) for part in zip(*entries))
    x = _Sparse(at_row, at_col, values.astype(float), (len(rows), len(names)))
    y_themes = np.array([[1.0 if t in r["themes"] else 0.0 for t in labels] for r in rows])
    y_sentiment = np.array([[1.0 if r["sentiment"] == s else 0.0 for s in SENTIMENTS] for r in rows])
    print(f"{len(rows)} remarks, {len(names)} features")
    threshold = _best_threshold(x, y_themes) if cross_validate else THRESHOLD
    w_t, b_t = _fit(x, y_themes, softmax=False)
    w_s, b_s = _fit(x, y_sentiment, softmax=True)
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
