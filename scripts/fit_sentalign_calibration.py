"""Fit the logistic calibration of sentence-alignment bead scores on the dev gold (prints the coefficients).

Usage: .venv/bin/python scripts/fit_sentalign_calibration.py [--bench-dir /work/shared/bench]
The printed tuples go into CALIBRATION_ALIGNED / CALIBRATION_SKIPPED in align/sentalign/__init__.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from align.sentalign import align_evidence
from bench_alignment import benchmarks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-dir", type=Path, default=Path("/work/shared/bench"))
    args = ap.parse_args()
    aligned: list[tuple[float, int, int]] = []
    skipped: list[tuple[float, int]] = []
    for _name, _system, docs in benchmarks(args.bench_dir):
        for d in docs:
            gold = {(tuple(s), tuple(t)) for s, t in d.gold}
            spans, evidence = align_evidence(d.src, d.tgt, d.mt)
            for (s0, s1, t0, t1), (f, size) in zip(spans, evidence):
                hit = int((tuple(range(s0, s1)), tuple(range(t0, t1))) in gold)
                if size > 1:
                    aligned.append((f, size - 2, hit))
                else:
                    skipped.append((f, hit))
    a = np.array(aligned)
    la = LogisticRegression(C=10.0).fit(a[:, :2], a[:, 2])
    s = np.array(skipped)
    ls = LogisticRegression(C=10.0).fit(s[:, :1], s[:, 1])
    print(f"CALIBRATION_ALIGNED = ({la.coef_[0][0]:.2f}, {la.coef_[0][1]:.2f}, {la.intercept_[0]:.2f})"
          f"   # {len(a)} beads, {a[:, 2].mean():.3f} correct")
    print(f"CALIBRATION_SKIPPED = ({ls.coef_[0][0]:.2f}, {ls.intercept_[0]:.2f})"
          f"   # {len(s)} beads, {s[:, 1].mean():.3f} correct")


if __name__ == "__main__":
    main()
