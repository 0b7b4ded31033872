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
    aligned: list[tuple[float, int, int, int]] = []
    skipped: list[tuple[float, int]] = []
    for _name, _system, docs in benchmarks(args.bench_dir):
        for d in docs:
            gold = {(tuple(s), tuple(t)) for s, t in d.gold}
            spans, evidence = align_evidence(d.src, d.tgt, d.mt)
            for (s0, s1, t0, t1), e in zip(spans, evidence):
                hit = int((tuple(range(s0, s1)), tuple(range(t0, t1))) in gold)
                if e.size > 1:
                    aligned.append((e.similarity, e.size - 2, e.loose_ends, hit))
                else:
                    skipped.append((e.similarity, hit))
    a = np.array(aligned)
    la = LogisticRegression(C=10.0).fit(a[:, :3], a[:, 3])
    s = np.array(skipped)
    ls = LogisticRegression(C=10.0).fit(s[:, :1], s[:, 1])
    wf, wn, wl = la.coef_[0]
    print(f"CALIBRATION_ALIGNED = ({wf:.2f}, {wn:.2f}, {wl:.2f}, {la.intercept_[0]:.2f})"
          f"   # {len(a)} beads, {a[:, 3].mean():.3f} correct")
    print(f"CALIBRATION_SKIPPED = ({ls.coef_[0][0]:.2f}, {ls.intercept_[0]:.2f})"
          f"   # {len(s)} beads, {s[:, 1].mean():.3f} correct")
    # reliability: observed share of exact gold beads per band of predicted score
    pred = np.concatenate([la.predict_proba(a[:, :3])[:, 1], ls.predict_proba(s[:, :1])[:, 1]])
    hit = np.concatenate([a[:, 3], s[:, 1]])
    print("predicted score  beads  observed correct")
    for lo, hi in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
        sel = (pred >= lo) & (pred < hi)
        if sel.any():
            print(f"  [{lo:.1f}, {min(hi, 1.0):.1f})    {sel.sum():>6}  {hit[sel].mean():.3f} (mean predicted {pred[sel].mean():.3f})")


if __name__ == "__main__":
    main()
