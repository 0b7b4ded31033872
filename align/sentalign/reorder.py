"""Reordered passages: lists whose items come in a different order on each side.

A glossary sorted alphabetically in each language, or a bibliography sorted by author in one version
and by date in the other, has no monotone alignment: a path through it pairs whatever happens to be in
order and leaves the rest unaligned, a long run of wrong or half beads. Hand alignments (BAF) mark
such a passage as one bead; so does this step. It finds *crossing links*: a source and a target
sentence that are each other's clear best match within a window around the path, yet lie in beads some
distance apart. A passage is reordered when its links cross each other (i < i' but j > j': items were
swapped) and are dense enough that the passage is a list of swapped items rather than a text with a few
captions or repeated lines out of place. A paragraph moved as a whole gives parallel links instead, and
stays a deletion plus an insertion.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from align.sentalign.config import AlignConfig
from align.sentalign.joining import union

Arr = np.ndarray

_CHUNK = 256        # source rows per matrix product in the candidate search
_CANDIDATES = 16    # targets per source compared exactly (the sketch's best): the runner-up of a link must be among
                    # them, or the margin is overrated (2-3 let a spurious link through; 12-48 give the same
                    # links on dev)
_MIN_CHARS = 25     # shorter lines (page numbers, "Figure 3-4.") recur out of place without any reordering
_MIN_DISTANCE = 3   # beads between a link's two sentences: closer, it is a boundary the joining already weighed


def _bead_of(spans: list[list[int]]) -> tuple[Arr, Arr]:
    """Index of the bead holding each source and each target sentence (``spans`` cover both sides)."""
    bead_a = np.empty(spans[-1][1], np.int64)
    bead_b = np.empty(spans[-1][3], np.int64)
    for k, (s0, s1, t0, t1) in enumerate(spans):
        bead_a[s0:s1] = k
        bead_b[t0:t1] = k
    return bead_a, bead_b


def candidates(sa: Arr, sb: Arr, spans: list[list[int]], window: int) -> tuple[Arr, Arr]:
    """The few targets most like each source sentence (sketch cosine, ``sa``/``sb`` L2-normalised) among those
    within ``window`` of the target position of its bead: pairs (ii[p], jj[p]) to compare exactly."""
    n, m = len(sa), len(sb)
    centre = np.array([s[2] for s in spans], np.int64)[_bead_of(spans)[0]]   # first target of each one's bead
    lo = np.clip(centre - window, 0, m)
    hi = np.clip(centre + window + 1, 0, m)
    ii, jj = [], []
    for c0 in range(0, n, _CHUNK):
        c1 = min(n, c0 + _CHUNK)
        a0, a1 = int(lo[c0:c1].min()), int(hi[c0:c1].max())
        cos = sa[c0:c1] @ sb[a0:a1].T
        cols = np.arange(a0, a1)
        cos[(cols < lo[c0:c1, None]) | (cols >= hi[c0:c1, None])] = -np.inf
        kk = min(_CANDIDATES, a1 - a0)
        top = np.argpartition(-cos, kk - 1, axis=1)[:, :kk]
        rows = np.repeat(np.arange(c0, c1), kk)
        keep = np.isfinite(cos[rows - c0, top.ravel()])
        ii.append(rows[keep])
        jj.append(a0 + top.ravel()[keep])
    return np.concatenate(ii), np.concatenate(jj)


@nb.njit(cache=True, inline="always")
def _offer(best: Arr, second: Arr, arg: Arr, k: int, x: float, other: int) -> None:
    """Keep the best and second-best values seen for ``k``, and the other side of the best."""
    if x > best[k]:
        second[k] = best[k]
        best[k] = x
        arg[k] = other
    elif x > second[k]:
        second[k] = x


@nb.njit(cache=True)
def _best_two(ii: Arr, jj: Arr, v: Arr, n: int, m: int) -> tuple[Arr, Arr, Arr, Arr, Arr, Arr]:
    """Per source and per target: the best value among the pairs, the runner-up, and the other side of the best."""
    rb, r2, ra = np.full(n, -np.inf), np.full(n, -np.inf), np.zeros(n, np.int64)
    cb, c2, ca = np.full(m, -np.inf), np.full(m, -np.inf), np.zeros(m, np.int64)
    for p in range(len(ii)):
        _offer(rb, r2, ra, ii[p], v[p], jj[p])
        _offer(cb, c2, ca, jj[p], v[p], ii[p])
    return rb, r2, ra, cb, c2, ca


def crossing_links(ii: Arr, jj: Arr, sim: Arr, spans: list[list[int]], chars_a: Arr, chars_b: Arr,
                   cfg: AlignConfig) -> list[tuple[int, int]]:
    """Pairs (i, j) that are each other's clear best match among the candidate pairs (ii, jj), whose
    similarities are ``sim``, yet lie in beads some distance apart."""
    n, m = len(chars_a), len(chars_b)
    rb, r2, ra, cb, c2, ca = _best_two(ii, jj, sim, n, m)
    bead_a, bead_b = _bead_of(spans)
    links = []
    for i in np.flatnonzero((rb - r2 >= cfg.reorder_margin) & (chars_a >= _MIN_CHARS)):
        j = ra[i]
        if (ca[j] == i and cb[j] - c2[j] >= cfg.reorder_margin and chars_b[j] >= _MIN_CHARS
                and abs(bead_a[i] - bead_b[j]) >= _MIN_DISTANCE):
            links.append((int(i), int(j)))
    return links


def merge_reordered(spans: list[list[int]], links: list[tuple[int, int]], cfg: AlignConfig) -> list[list[int]]:
    """``spans`` with the beads of each reordered passage merged into one.

    A link spans the beads from its source's to its target's; links whose bead ranges overlap form a
    passage, reordered when two of its links cross and it has at least ``reorder_links`` links and
    ``reorder_density`` links per bead.
    """
    if not links:
        return spans
    bead_a, bead_b = _bead_of(spans)
    ranges = sorted((int(min(bead_a[i], bead_b[j])), int(max(bead_a[i], bead_b[j])), i, j) for i, j in links)
    passages: list[tuple[int, int, list[tuple[int, int]]]] = []
    for a, b, i, j in ranges:
        if passages and a <= passages[-1][1]:
            start, end, members = passages[-1]
            members.append((i, j))
            passages[-1] = (start, max(end, b), members)
        else:
            passages.append((a, b, [(i, j)]))
    out: list[list[int]] = []
    k = 0
    for a, b, members in passages:
        targets = [j for _, j in sorted(members)]
        if (all(x < y for x, y in zip(targets, targets[1:])) or len(members) < cfg.reorder_links
                or len(members) < cfg.reorder_density * (b - a + 1)):
            continue
        out.extend(spans[k:a])
        out.append(union(spans[a], spans[b]))
        k = b + 1
    return out + spans[k:]
