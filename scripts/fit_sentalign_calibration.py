"""Fit the logistic calibration of sentence-alignment bead scores on the dev gold (prints the coefficients).

Usage: .venv/bin/python scripts/fit_sentalign_calibration.py [--bench-dir /work/shared/bench]
The printed tuples go into CALIBRATION_ALIGNED / CALIBRATION_SKIPPED in align/sentalign/calibration.py.

Besides the dev documents, each document's translation is also aligned with the target side of another
document of the same benchmark (unrelated texts): every aligned bead there is wrong, so the scores learn
that a bead between unrelated texts is not to be trusted (unaligned sentences are fitted on the dev
documents only: between unrelated texts they are trivially right and would swamp the fit).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from align.sentalign import AlignConfig, align_evidence
from bench_alignment import Doc, benchmarks


def examples(d: Doc, gold: set[tuple[tuple[int, ...], tuple[int, ...]]] | None,
             aligned: list[tuple[float, ...]], skipped: list[tuple[float, ...]]) -> None:
    """Append (features..., hit) rows; ``gold`` None means unrelated texts (only aligned beads, all wrong)."""
    spans, evidence = align_evidence(d.src, d.tgt, d.mt)
    # sentences of gold beads too big for the aligner (e.g. BAF xerox's 249-244 block): no bead there can
    # be exact, whatever its evidence, so they would only blur the fit
    unreachable = {i for s, t in (gold or ()) if max(len(s), len(t)) > AlignConfig().max_side for i in s}
    for (s0, s1, t0, t1), e in zip(spans, evidence):
        if gold is None:
            if e.size > 1:
                aligned.append((*e.features(), 0))
            continue
        if any(i in unreachable for i in range(s0, s1)):
            continue
        hit = int((tuple(range(s0, s1)), tuple(range(t0, t1))) in gold)
        (aligned if e.size > 1 else skipped).append((*e.features(), hit))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-dir", type=Path, default=Path("/work/shared/bench"))
    args = ap.parse_args()
    aligned: list[tuple[float, ...]] = []
    skipped: list[tuple[float, ...]] = []
    sets = benchmarks(args.bench_dir)
    for _name, _system, docs in sets:
        for d in docs:
            examples(d, {(tuple(s), tuple(t)) for s, t in d.gold}, aligned, skipped)
    unrelated = len(aligned)
    for _name, _system, docs in sets:
        for k, d in enumerate(docs):
            if len(docs) > 1:
                other = docs[(k + 1) % len(docs)]
                examples(Doc(d.src, other.tgt, d.mt, []), None, aligned, skipped)
    unrelated = len(aligned) - unrelated
    a, s = np.array(aligned), np.array(skipped)
    la = LogisticRegression(C=10.0).fit(a[:, :-1], a[:, -1])
    ls = LogisticRegression(C=10.0).fit(s[:, :-1], s[:, -1])
    fmt = ", ".join
    print(f"CALIBRATION_ALIGNED = ({fmt(f'{w:.2f}' for w in la.coef_[0])}, {la.intercept_[0]:.2f})"
          f"   # {len(a)} beads ({unrelated} between unrelated texts), {a[:, -1].mean():.3f} correct")
    print(f"CALIBRATION_SKIPPED = ({fmt(f'{w:.2f}' for w in ls.coef_[0])}, {ls.intercept_[0]:.2f})"
          f"   # {len(s)} beads, {s[:, -1].mean():.3f} correct")
    # reliability: observed share of exact gold beads per band of predicted score
    pred = np.concatenate([la.predict_proba(a[:, :-1])[:, 1], ls.predict_proba(s[:, :-1])[:, 1]])
    hit = np.concatenate([a[:, -1], s[:, -1]])
    print("predicted score  beads  observed correct")
    for lo, hi in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
        sel = (pred >= lo) & (pred < hi)
        if sel.any():
            print(f"  [{lo:.1f}, {min(hi, 1.0):.1f})    {sel.sum():>6}  {hit[sel].mean():.3f} "
                  f"(mean predicted {pred[sel].mean():.3f})")
    if unrelated:
        p_unrelated = la.predict_proba(a[-unrelated:, :-1])[:, 1]
        print(f"aligned beads between unrelated texts: mean score {p_unrelated.mean():.3f}, "
              f"{(p_unrelated >= 0.5).mean():.3f} at 0.5 or more")


if __name__ == "__main__":
    main()
