"""Build ``ember/vision/datasets/data/digits.npz`` from scikit-learn's copy of the UCI digits.

How the bundled file was made (run once; the result is committed, so nothing at run time
depends on scikit-learn or on a random-number generator's version)::

    cd /tmp && pip download --no-deps scikit-learn        # any recent wheel
    unzip -o scikit_learn-*.whl 'sklearn/datasets/data/digits.csv.gz'
    python tools/build_digits.py /tmp/sklearn/datasets/data/digits.csv.gz

The CSV has 1,797 rows of 65 integers: 64 pixels (an 8x8 image, row-major, values 0..16)
followed by the label 0..9. The ``.npz`` stores

* ``images``: uint8 (1797, 8, 8), the raw 0..16 values, rows in the CSV's order;
* ``labels``: uint8 (1797,);
* ``train_idx`` / ``test_idx``: int64 index arrays, sorted, disjoint, covering every row:
  a stratified split with exactly 360 test rows (about 20 %), the per-class test counts
  allotted by largest remainder of ``count * 360 / 1797``, the rows of each class drawn
  with ``numpy.random.default_rng(20240501)``.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import numpy as np

N_TEST = 360
SEED = 20240501
OUT = Path(__file__).resolve().parents[1] / "ember" / "vision" / "datasets" / "data" / "digits.npz"


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (images uint8 (N, 8, 8), labels uint8 (N,)) from sklearn's digits.csv.gz."""
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (1797, 65):
        raise ValueError(f"expected a 1797x65 table, got {table.shape}")
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise ValueError("pixel values must lie in 0..16 and labels in 0..9")
    return pixels.reshape(-1, 8, 8).astype(np.uint8), labels.astype(np.uint8)


def stratified_split(labels: np.ndarray, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train_idx, test_idx) with ``n_test`` test rows spread over the classes."""
    classes, counts = np.unique(labels, return_counts=True)
    share = counts * n_test / len(labels)
    per_class = np.floor(share).astype(np.int64)
    # Largest remainder: hand the leftover test rows to the classes with the biggest fractions.
    leftover = n_test - per_class.sum()
    per_class[np.argsort(-(share - per_class), kind="stable")[:leftover]] += 1
    rng = np.random.default_rng(seed)
    test = [rng.permutation(np.flatnonzero(labels == c))[:k] for c, k in zip(classes, per_class)]
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(len(labels)), test_idx)
    return train_idx.astype(np.int64), test_idx.astype(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="path to sklearn/datasets/data/digits.csv.gz")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    images, labels = read_csv(args.csv)
    train_idx, test_idx = stratified_split(labels, N_TEST, SEED)
    np.savez_compressed(
        args.out, images=images, labels=labels, train_idx=train_idx, test_idx=test_idx
    )
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes): "
          f"{len(train_idx)} train / {len(test_idx)} test")


if __name__ == "__main__":
    main()
