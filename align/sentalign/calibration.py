"""Calibrated bead scores: what a bead's score is computed from, and the logistic fit that maps it to [0, 1]."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from align.sentalign.joining import aligned

# Logistic calibration of bead scores, fitted on the dev benchmarks' gold alignments by
# scripts/fit_sentalign_calibration.py (target: the bead is exactly a gold bead).
# Aligned beads: slopes on log similarity, log document median, margin, sentences beyond 1-1, unaligned
# neighbours; intercept.
CALIBRATION_ALIGNED = (0.48, 2.85, -2.45, -1.02, -2.20, 9.32)
# Unaligned sentences: slopes on the log of the best similarity to a nearby sentence and of the document
# median; intercept.
CALIBRATION_SKIPPED = (-0.58, 0.25, -1.00)


@dataclass(frozen=True)
class Evidence:
    """What a bead's score is computed from (see bead_evidence)."""

    similarity: float   # background-corrected similarity (about 0 for unrelated sentences)
    document: float     # median similarity of the document's aligned beads (how well its MT matches)
    margin: float       # similarity minus that of the best rival (the same bead shifted by one sentence)
    size: int           # sentences in the bead
    loose_ends: int     # neighbouring beads (0-2) that are unaligned sentences: the boundary is less sure

    def features(self) -> tuple[float, ...]:
        """Calibration inputs (see CALIBRATION_ALIGNED / CALIBRATION_SKIPPED)."""
        if self.size > 1:
            return (_log_sim(self.similarity), _log_sim(self.document), self.margin, float(self.size - 2),
                    float(self.loose_ends))
        return (_log_sim(self.similarity), _log_sim(self.document))


def _log_sim(f: float) -> float:
    # log scale: 0.01 vs 0.1 (chance vs weak translation) matters, 0.3 vs 0.6 (two good beads) hardly
    return math.log(max(f, 0.0) + 0.01)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def _rivals(span: list[int], n: int, m: int) -> list[tuple[int, int, int, int]]:
    """Beads of the same shape as ``span`` shifted by one sentence on one side (its rival readings)."""
    s0, s1, t0, t1 = span
    out = []
    for d in (-1, 1):
        if 0 <= s0 + d and s1 + d <= n:
            out.append((s0 + d, s1 + d, t0, t1))
        if 0 <= t0 + d and t1 + d <= m:
            out.append((s0, s1, t0 + d, t1 + d))
    return out


def bead_evidence(spans: list[list[int]], sim: Callable[[int, int, int, int], float]) -> list[Evidence]:
    """Evidence for each bead's score.

    The similarity is background-corrected, so that beads between unrelated texts get about 0 whatever
    the document. Its scale depends on the MT system and the text (OCR noise, style), so the median of
    the document's aligned beads is evidence too: with it the same similarity counts for more in a
    noisy document, and a document that does not match at all gets low scores throughout. The margin
    compares the bead with its rivals (shifted by one sentence on one side).
    For an unaligned sentence the similarity is its best one with a sentence of the other side in the
    neighbouring beads (how much it could have been aligned).
    """
    n = max(s[1] for s in spans)
    m = max(s[3] for s in spans)

    def unaligned(k: int) -> bool:
        return 0 <= k < len(spans) and not aligned(spans[k])

    raw = []
    for k, (s0, s1, t0, t1) in enumerate(spans):
        if aligned(spans[k]):
            f = sim(s0, s1, t0, t1)
            rival = max([sim(*a) for a in _rivals(spans[k], n, m)], default=0.0)
            raw.append((f, f - rival, s1 - s0 + t1 - t0, unaligned(k - 1) + unaligned(k + 1)))
            continue
        best = -1.0
        for nb_ in range(max(0, k - 2), min(len(spans), k + 3)):
            o = spans[nb_]
            if s1 > s0:
                best = max([best] + [sim(s0, s1, j, j + 1) for j in range(o[2], o[3])])
            else:
                best = max([best] + [sim(i, i + 1, t0, t1) for i in range(o[0], o[1])])
        raw.append((best, 0.0, 1, 0))
    paired = [f for (f, _, size, _) in raw if size > 1]
    document = float(np.median(paired)) if paired else 0.0
    return [Evidence(f, document, margin, size, loose) for f, margin, size, loose in raw]


def score_bead(e: Evidence) -> float:
    """The calibrated probability that the bead is a correct translation unit."""
    *w, c = CALIBRATION_ALIGNED if e.size > 1 else CALIBRATION_SKIPPED
    return _sigmoid(sum(wi * xi for wi, xi in zip(w, e.features())) + c)
