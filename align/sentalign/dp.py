"""Dynamic programmes over a band of the alignment lattice.

Lattice point (i, j) means "the first i source and j target sentences are
aligned"; row i may use the columns jlo[i]..jhi[i] (both monotone, jlo[0] = 0,
jhi[n] = m). Pair-level arrays (similarities, overlaps) are stored per source
sentence i for targets plo[i] .. plo[i] + width[i] - 1, with plo = jlo[:-1].
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

Arr = np.ndarray   # short alias for the signatures of the numba kernels


def pair_band(jlo: Arr, jhi: Arr, m: int) -> tuple[Arr, Arr]:
    """Start column and width of the sentence pairs each source sentence may be compared with."""
    plo = jlo[:-1].copy()
    width = np.maximum(np.minimum(jhi[1:], m) - plo, 0).astype(np.int64)
    return plo, width


@nb.njit(cache=True)
def band_from_path(pi: Arr, pj: Arr, n: int, m: int, wr: int, wc: int) -> tuple[Arr, Arr]:
    """Band of all lattice points within wr rows / wc columns of a monotone path through (0,0)..(n,m)."""
    pmin = np.full(n + 1, m, np.int64)
    pmax = np.zeros(n + 1, np.int64)
    for t in range(len(pi) - 1):
        # the box between consecutive path points is on the path (coarse steps span many sentences)
        for i in range(pi[t], pi[t + 1] + 1):
            pmin[i] = min(pmin[i], pj[t])
            pmax[i] = max(pmax[i], pj[t + 1])
    jlo = np.empty(n + 1, np.int64)
    jhi = np.empty(n + 1, np.int64)
    for i in range(n + 1):
        jlo[i] = max(0, pmin[max(0, i - wr)] - wc)
        jhi[i] = min(m, pmax[min(n, i + wr)] + wc)
    jlo[0] = 0
    jhi[n] = m
    return jlo, jhi


@nb.njit(cache=True)
def sketch_band_sims(a: Arr, b: Arr, plo: Arr, width: Arr) -> Arr:
    """Cosine of sketch rows a[i] and b[plo[i] + k] (rows already L2-normalised)."""
    n = a.shape[0]
    out = np.zeros((n, width.max() if n else 0), np.float32)
    for i in range(n):
        for k in range(width[i]):
            out[i, k] = np.dot(a[i], b[plo[i] + k])
    return out


@nb.njit(cache=True)
def pair_overlaps(ii: Arr, jj: Arr, ida: Arr, ca: Arr, oa: Arr, idb: Arr, cb: Arr, ob: Arr, weights: Arr) -> Arr:
    """Weighted bag overlap sum(w * min(count_a, count_b)) of source-side sentence ii[p] and target-side jj[p].

    Pairs come grouped by source sentence: its counts are scattered once into a dense array indexed by
    vocabulary id, so each pair costs one pass over the target sentence's n-grams (no branchy merge).
    """
    out = np.zeros(len(ii), np.float32)
    dense = np.zeros(len(weights), np.float32)
    p = 0
    while p < len(ii):
        i = ii[p]
        for k in range(oa[i], oa[i + 1]):
            dense[ida[k]] = ca[k]
        while p < len(ii) and ii[p] == i:
            j = jj[p]
            s = 0.0
            for k in range(ob[j], ob[j + 1]):
                s += weights[idb[k]] * min(dense[idb[k]], cb[k])
            out[p] = s
            p += 1
        for k in range(oa[i], oa[i + 1]):
            dense[ida[k]] = 0.0
    return out


def band_overlaps(ida: Arr, ca: Arr, oa: Arr, idb: Arr, cb: Arr, ob: Arr, weights: Arr, plo: Arr, width: Arr) -> Arr:
    """``pair_overlaps`` of source-side sentence i and target plo[i] + k, as a band matrix [i, k]."""
    n = len(oa) - 1
    ii = np.repeat(np.arange(n), width)
    kk = np.arange(len(ii)) - np.repeat(np.cumsum(width) - width, width)
    out = np.zeros((n, width.max() if n else 0), np.float32)
    out[ii, kk] = pair_overlaps(ii, plo[ii] + kk, ida, ca, oa, idb, cb, ob, weights)
    return out


@nb.njit(cache=True)
def path_dp(sim: Arr, plo: Arr, jlo: Arr, jhi: Arr, n: int, m: int, threshold: float,
            skip_penalty: float) -> tuple[Arr, Arr]:
    """Best 1-1/1-0/0-1 path: sum of (sim - threshold) over 1-1 steps minus skip_penalty per skip.

    The small skip penalty breaks ties towards the diagonal in repetitive text. Returns lattice points.
    """
    wmax = (jhi - jlo).max() + 1
    score = np.full((n + 1, wmax), -np.inf)
    back = np.zeros((n + 1, wmax), np.int8)
    score[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(jlo[i], jhi[i] + 1):
            if i == 0 and j == 0:
                continue
            best = -np.inf
            bt = 0
            if i > 0 and jlo[i - 1] <= j <= jhi[i - 1]:
                v = score[i - 1, j - jlo[i - 1]] - skip_penalty
                if v > best:
                    best, bt = v, 1
            if j > jlo[i]:
                v = score[i, j - 1 - jlo[i]] - skip_penalty
                if v > best:
                    best, bt = v, 2
            if i > 0 and j > 0 and jlo[i - 1] <= j - 1 <= jhi[i - 1]:
                k = j - 1 - plo[i - 1]
                if 0 <= k < sim.shape[1]:
                    v = score[i - 1, j - 1 - jlo[i - 1]] + sim[i - 1, k] - threshold
                    if v > best:
                        best, bt = v, 3
            score[i, j - jlo[i]] = best
            back[i, j - jlo[i]] = bt
    pi = [n]
    pj = [m]
    i, j = n, m
    while i > 0 or j > 0:
        t = back[i, j - jlo[i]]
        if t == 1:
            i -= 1
        elif t == 2:
            j -= 1
        else:
            i -= 1
            j -= 1
        pi.append(i)
        pj.append(j)
    return np.array(pi[::-1], np.int64), np.array(pj[::-1], np.int64)


@nb.njit(cache=True)
def block_dice(s0: int, s1: int, t0: int, t1: int, ida: Arr, ca: Arr, oa: Arr, idb: Arr, cb: Arr, ob: Arr,
               weights: Arr, mass_a: Arr, mass_b: Arr, bg_a: Arr, bg_b: Arr, dense_a: Arr, dense_b: Arr) -> float:
    """Dice similarity of the concatenations of sentences s0..s1-1 and t0..t1-1, minus their chance level.

    dense_a / dense_b are zeroed scratch arrays of vocabulary size (left zeroed).
    """
    for s in range(s0, s1):
        for k in range(oa[s], oa[s + 1]):
            dense_a[ida[k]] += ca[k]
    for t in range(t0, t1):
        for k in range(ob[t], ob[t + 1]):
            dense_b[idb[k]] += cb[k]
    o = 0.0
    for t in range(t0, t1):
        for k in range(ob[t], ob[t + 1]):
            v = idb[k]
            if dense_b[v] > 0:
                o += weights[v] * min(dense_a[v], dense_b[v])
                dense_b[v] = 0.0
    for s in range(s0, s1):
        for k in range(oa[s], oa[s + 1]):
            dense_a[ida[k]] = 0.0
    la = 0.0
    lb = 0.0
    bg = 0.0
    for s in range(s0, s1):
        la += mass_a[s]
        bg += bg_a[s]
    for t in range(t0, t1):
        lb += mass_b[t]
        bg += bg_b[t]
    f = 2.0 * o / (la + lb) if la + lb > 0 else 0.0
    return f - bg / (s1 - s0 + t1 - t0)


def pairs_dice(ii: Arr, jj: Arr, ida: Arr, ca: Arr, oa: Arr, idb: Arr, cb: Arr, ob: Arr, weights: Arr, mass_a: Arr,
               mass_b: Arr, bg_a: Arr, bg_b: Arr) -> Arr:
    """Dice similarity of the pairs (ii[p], jj[p]) minus the chance level of both sentences (as ``block_dice``
    of a 1-1 bead)."""
    ov = pair_overlaps(ii, jj, ida, ca, oa, idb, cb, ob, weights)
    den = mass_a[ii] + mass_b[jj]
    return 2.0 * ov / np.maximum(den, 1e-12) - 0.5 * (bg_a[ii] + bg_b[jj])


@nb.njit(cache=True)
def pair_features(ov: Arr, plo: Arr, width: Arr, mass_a: Arr, mass_b: Arr, bg_a: Arr, bg_b: Arr, ch_a: Arr,
                  ch_b: Arr) -> tuple[Arr, Arr, Arr]:
    """Per band pair: Dice minus the chance level of both sentences, mean char length, squared log length ratio."""
    n = ov.shape[0]
    d = np.zeros(ov.shape, np.float32)
    size = np.zeros(ov.shape, np.float32)
    lr2 = np.zeros(ov.shape, np.float32)
    for i in range(n):
        for q in range(width[i]):
            j = plo[i] + q
            den = mass_a[i] + mass_b[j]
            d[i, q] = (2.0 * ov[i, q] / den if den > 0 else 0.0) - 0.5 * (bg_a[i] + bg_b[j])
            size[i, q] = 0.5 * (ch_a[i] + ch_b[j])
            lr2[i, q] = math.log((ch_a[i] + 1.0) / (ch_b[j] + 1.0)) ** 2
    return d, size, lr2


@nb.njit(cache=True)
def background(ov: Arr, plo: Arr, width: Arr, mass_a: Arr, mass_b: Arr, m: int) -> tuple[Arr, Arr]:
    """Chance-level Dice similarity of each source and each target sentence.

    It is the sentence's mean Dice over its band, leaving out its best match (most band pairs are
    unrelated). Subtracting it makes similarities comparable across sentences of different length and
    noise, and stops merges from looking better only because longer texts share more n-grams by chance.
    """
    n = ov.shape[0]
    rsum = np.zeros(n)
    rmax = np.zeros(n)
    csum = np.zeros(m)
    cmax = np.zeros(m)
    ccnt = np.zeros(m)
    for i in range(n):
        for k in range(width[i]):
            j = plo[i] + k
            den = mass_a[i] + mass_b[j]
            f = 2.0 * ov[i, k] / den if den > 0 else 0.0
            rsum[i] += f
            rmax[i] = max(rmax[i], f)
            csum[j] += f
            cmax[j] = max(cmax[j], f)
            ccnt[j] += 1
    bg_a = np.zeros(n)
    bg_b = np.zeros(m)
    for i in range(n):
        if width[i] > 1:
            bg_a[i] = (rsum[i] - rmax[i]) / (width[i] - 1)
    for j in range(m):
        if ccnt[j] > 1:
            bg_b[j] = (csum[j] - cmax[j]) / (ccnt[j] - 1)
    return bg_a, bg_b
