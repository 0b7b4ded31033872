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


def pair_band(jlo: np.ndarray, jhi: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Start column and width of the sentence pairs each source sentence may be compared with."""
    plo = jlo[:-1].copy()
    width = np.maximum(np.minimum(jhi[1:], m) - plo, 0).astype(np.int64)
    return plo, width


@nb.njit(cache=True)
def band_from_path(pi, pj, n, m, wr, wc):
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
def sketch_band_sims(a, b, plo, width):
    """Cosine of sketch rows a[i] and b[plo[i] + k] (rows already L2-normalised)."""
    n = a.shape[0]
    out = np.zeros((n, width.max() if n else 0), np.float32)
    for i in range(n):
        for k in range(width[i]):
            out[i, k] = np.dot(a[i], b[plo[i] + k])
    return out


@nb.njit(cache=True)
def _overlap(ka, wa, a0, a1, kb, b0, b1):
    """Weighted sum over keys of min(count in a, count in b) of two sorted key runs."""
    s = 0.0
    i, j = a0, b0
    while i < a1 and j < b1:
        x, y = ka[i], kb[j]
        if x == y:
            ci = 0
            while i < a1 and ka[i] == x:
                ci += 1
                i += 1
            cj = 0
            while j < b1 and kb[j] == x:
                cj += 1
                j += 1
            s += wa[i - 1] * min(ci, cj)
        elif x < y:
            i += 1
        else:
            j += 1
    return s


@nb.njit(cache=True)
def band_overlaps(ka, wa, oa, kb, ob, plo, width):
    """Weighted multiset overlap of source-side sentence i and target-side sentence plo[i] + k."""
    n = len(oa) - 1
    out = np.zeros((n, width.max() if n else 0), np.float32)
    for i in range(n):
        for k in range(width[i]):
            j = plo[i] + k
            out[i, k] = _overlap(ka, wa, oa[i], oa[i + 1], kb, ob[j], ob[j + 1])
    return out


@nb.njit(cache=True)
def path_dp(sim, plo, jlo, jhi, n, m, threshold, skip_penalty):
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
def _multi_overlap(rk_a, rw_a, offs_a, s0, s1, rk_b, offs_b, t0, t1, pa, pb):
    """Weighted sum over n-grams of min(count in sentences s0..s1-1, count in t0..t1-1) (concatenations).

    k-way walk over the per-sentence sorted n-gram keys; pa and pb are scratch pointer arrays.
    """
    na = s1 - s0
    nb_ = t1 - t0
    for u in range(na):
        pa[u] = offs_a[s0 + u]
    for u in range(nb_):
        pb[u] = offs_b[t0 + u]
    top = np.uint32(0xFFFFFFFF)
    total = 0.0
    while True:
        key = top
        found = False
        for u in range(na):
            p = pa[u]
            if p < offs_a[s0 + u + 1] and (not found or rk_a[p] < key):
                key = rk_a[p]
                found = True
        for u in range(nb_):
            p = pb[u]
            if p < offs_b[t0 + u + 1] and (not found or rk_b[p] < key):
                key = rk_b[p]
                found = True
        if not found:
            return total
        ca = 0
        cb = 0
        w = 0.0
        for u in range(na):
            p = pa[u]
            end = offs_a[s0 + u + 1]
            while p < end and rk_a[p] == key:
                w = rw_a[p]
                ca += 1
                p += 1
            pa[u] = p
        for u in range(nb_):
            p = pb[u]
            end = offs_b[t0 + u + 1]
            while p < end and rk_b[p] == key:
                cb += 1
                p += 1
            pb[u] = p
        if ca > 0 and cb > 0:
            total += w * min(ca, cb)


@nb.njit(cache=True)
def dice(pi, i, pj, j, plo, ov, rk_a, rw_a, offs_a, rk_b, offs_b, mass_a, mass_b, bg_a, bg_b, pa, pb):
    """Dice similarity of the concatenated bead sides minus the chance level of its sentences."""
    if i - pi == 1 and j - pj == 1:
        k = pj - plo[pi]
        if 0 <= k < ov.shape[1]:
            o = ov[pi, k]
        else:
            o = _multi_overlap(rk_a, rw_a, offs_a, pi, i, rk_b, offs_b, pj, j, pa, pb)
    else:
        o = _multi_overlap(rk_a, rw_a, offs_a, pi, i, rk_b, offs_b, pj, j, pa, pb)
    la = 0.0
    lb = 0.0
    bg = 0.0
    for ii in range(pi, i):
        la += mass_a[ii]
        bg += bg_a[ii]
    for jj in range(pj, j):
        lb += mass_b[jj]
        bg += bg_b[jj]
    f = 2.0 * o / (la + lb) if la + lb > 0 else 0.0
    return f - bg / (i - pi + j - pj)


@nb.njit(cache=True)
def bead_dp(n, m, jlo, jhi, plo, sides, two_dirs, ch_mt, ch_t, types_a, types_b, unit, threshold, nm_penalty,
            length_weight):
    """Best monotone bead sequence under the gain  size * (sim - threshold - lw * logratio^2) - nm * (a+b-2).

    sim is the background-corrected Dice of the bead's concatenated sides (averaged over both translation
    directions when there are two); size is the bead's mean char length over ``unit`` (the mean sentence
    length): weighting by length rather than by sentence count makes a merge of two beads worth about the
    sum of the two. 1-0 and 0-1 beads gain 0. Returns the type index of each bead, first to last.
    """
    (ov1, rk1a, rw1a, offs1a, rk1b, offs1b, m1a, m1b, bg1a, bg1b,
     ov2, rk2a, rw2a, offs2a, rk2b, offs2b, m2a, m2b, bg2a, bg2b) = sides
    pa = np.empty(16, np.int64)
    pb = np.empty(16, np.int64)
    wmax = (jhi - jlo).max() + 1
    score = np.full((n + 1, wmax), -np.inf)
    back = np.full((n + 1, wmax), -1, np.int8)
    score[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(jlo[i], jhi[i] + 1):
            if i == 0 and j == 0:
                continue
            best = -np.inf
            bt = -1
            for t in range(len(types_a)):
                a = types_a[t]
                b = types_b[t]
                pi = i - a
                pj = j - b
                if pi < 0 or pj < jlo[pi] or pj > jhi[pi]:
                    continue
                prev = score[pi, pj - jlo[pi]]
                if prev == -np.inf:
                    continue
                g = 0.0
                if a > 0 and b > 0:
                    f = dice(pi, i, pj, j, plo, ov1, rk1a, rw1a, offs1a, rk1b, offs1b, m1a, m1b, bg1a, bg1b,
                              pa, pb)
                    if two_dirs:
                        f = 0.5 * (f + dice(pi, i, pj, j, plo, ov2, rk2a, rw2a, offs2a, rk2b, offs2b, m2a, m2b,
                                             bg2a, bg2b, pa, pb))
                    ca = 0.0
                    cb = 0.0
                    for ii in range(pi, i):
                        ca += ch_mt[ii]
                    for jj in range(pj, j):
                        cb += ch_t[jj]
                    lr = math.log((ca + 1.0) / (cb + 1.0))
                    size = 0.5 * (ca + cb) / unit
                    g = size * (f - threshold - length_weight * lr * lr) - nm_penalty * (a + b - 2)
                if prev + g > best:
                    best = prev + g
                    bt = t
            score[i, j - jlo[i]] = best
            back[i, j - jlo[i]] = bt
    steps = []
    i, j = n, m
    while i > 0 or j > 0:
        t = back[i, j - jlo[i]]
        steps.append(t)
        i -= types_a[t]
        j -= types_b[t]
    return np.array(steps[::-1], np.int64)


@nb.njit(cache=True)
def background(ov, plo, width, mass_a, mass_b, m):
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
