"""Sentence representations: hashed n-gram multisets (exact overlaps) and dense sketches (fast search).

A sentence is the multiset of its character n-grams (lower-cased, whitespace
removed, as in chrF) and word uni/bigrams. Repeated n-grams get an occurrence
index before hashing, so a multiset becomes a sorted array of distinct uint64s
and sum(min(count_a, count_b)) is the size of an array intersection. Every
n-gram is weighted by its inverse document frequency over both sides of the
document, so that shared function words count little.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
IDF_BITS = 18   # n-grams are bucketed into 2**18 bins to count document frequencies


@nb.njit(cache=True, inline="always")
def _mix(h: np.uint64) -> np.uint64:
    # splitmix64 finaliser: spreads polynomial hashes so that (n-gram, occurrence) pairs do not collide
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@nb.njit(cache=True)
def _ngrams(cps, offs, nmin, nmax, wcps, woffs, word_weight):
    """Occurrence-indexed, sorted n-gram hashes of every sentence, with their class weights.

    cps/offs: concatenated code points (whitespace removed) and sentence offsets;
    wcps/woffs: the same for the word stream (words separated by one space, code 32).
    """
    n = len(offs) - 1
    cap = np.zeros(n + 1, np.int64)
    for s in range(n):
        length = offs[s + 1] - offs[s]
        c = 0
        for order in range(nmin, nmax + 1):
            if length >= order:
                c += length - order + 1
        words = 0
        if woffs[s + 1] > woffs[s]:
            words = 1
            for k in range(woffs[s], woffs[s + 1]):
                if wcps[k] == 32:
                    words += 1
        cap[s + 1] = cap[s] + c + 2 * words
    raw = np.empty(cap[n], np.uint64)
    raw_w = np.empty(cap[n], np.float32)
    used = np.zeros(n, np.int64)
    for s in range(n):
        pos = cap[s]
        a, b = offs[s], offs[s + 1]
        for order in range(nmin, nmax + 1):
            for start in range(a, b - order + 1):
                h = np.uint64(order)
                for k in range(start, start + order):
                    h = h * np.uint64(1000003) + np.uint64(cps[k])
                raw[pos] = h
                raw_w[pos] = 1.0
                pos += 1
        # word unigrams and bigrams; the seed 77 keeps them apart from character n-grams
        wa, wb = woffs[s], woffs[s + 1]
        if wb > wa:
            prev = np.uint64(0)
            cur = np.uint64(77)
            for k in range(wa, wb + 1):
                if k == wb or wcps[k] == 32:
                    raw[pos] = cur
                    raw_w[pos] = word_weight
                    pos += 1
                    if prev != np.uint64(0):
                        raw[pos] = _mix(prev) ^ cur
                        raw_w[pos] = word_weight
                        pos += 1
                    prev = cur
                    cur = np.uint64(77)
                else:
                    cur = cur * np.uint64(1000003) + np.uint64(wcps[k])
        used[s] = pos - cap[s]
    offs_out = np.zeros(n + 1, np.int64)
    for s in range(n):
        offs_out[s + 1] = offs_out[s] + used[s]
    total = offs_out[n]
    fh = np.empty(total, np.uint64)     # occurrence-indexed hashes, sorted per sentence
    fw = np.empty(total, np.float32)
    fk = np.empty(total, np.uint64)     # the n-gram key of each occurrence-indexed hash (for its idf)
    rk = np.empty(total, np.uint64)     # n-gram keys with repeats, sorted per sentence
    rw = np.empty(total, np.float32)
    first = np.zeros(total, np.bool_)   # first occurrence of its key in the sentence (for document frequency)
    for s in range(n):
        c = used[s]
        seg = raw[cap[s]:cap[s] + c].copy()
        for t in range(c):
            seg[t] = _mix(seg[t])
        idx = np.argsort(seg)
        o = offs_out[s]
        run = 0
        for t in range(c):
            h = seg[idx[t]]
            if t > 0 and h == seg[idx[t - 1]]:
                run += 1
            else:
                run = 0
                first[o + t] = True
            rk[o + t] = h
            rw[o + t] = raw_w[cap[s] + idx[t]]
            fh[o + t] = _mix(h + np.uint64(run) * _GOLDEN)
        sub = np.argsort(fh[o:o + c])
        fw[o:o + c] = rw[o:o + c][sub]
        fk[o:o + c] = rk[o:o + c][sub]
        fh[o:o + c] = fh[o:o + c][sub]
    return fh, fw, fk, rk, rw, first, offs_out


@dataclass(frozen=True)
class Profiles:
    """n-gram multisets of the sentences of one side."""

    hashes: np.ndarray     # uint64 occurrence-indexed n-grams, sorted within each sentence
    weights: np.ndarray    # float32, weight of each hash (class weight x idf once weighted)
    keys: np.ndarray       # uint64, the n-gram (without occurrence index) of each hash
    raw: np.ndarray        # uint64, the n-grams with repeats, sorted within each sentence
    raw_weights: np.ndarray   # float32, weight of each raw n-gram
    first: np.ndarray      # bool, raw n-gram is the first of its run
    offs: np.ndarray       # int64, sentence i is hashes[offs[i]:offs[i + 1]] (and raw[...])
    chars: np.ndarray      # float64, non-space characters per sentence

    @property
    def mass(self) -> np.ndarray:
        """Total weight per sentence."""
        out = np.zeros(len(self.offs) - 1)
        sizes = np.diff(self.offs)
        nz = sizes > 0
        if nz.any():
            out[nz] = np.add.reduceat(self.weights.astype(np.float64), self.offs[:-1][nz])
        return out


_NONWORD = re.compile(r"[\W_]+")


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    offs = np.zeros(len(texts) + 1, np.int64)
    np.cumsum([len(t) for t in texts], out=offs[1:])
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return cps, offs


def profiles(texts: Sequence[str], char_orders: tuple[int, int], word_weight: float) -> Profiles:
    """Unweighted-by-idf n-gram profiles of ``texts`` (language-agnostic: Unicode lower-case and \\w)."""
    lowered = [t.lower() for t in texts]
    chars = ["".join(t.split()) for t in lowered]
    words = [_NONWORD.sub(" ", t).strip() for t in lowered]
    cps, offs = _codepoints(chars)
    wcps, woffs = _codepoints(words)
    fh, fw, fk, rk, rw, first, foffs = _ngrams(cps, offs, char_orders[0], char_orders[1], wcps, woffs,
                                               np.float32(word_weight))
    return Profiles(fh, fw, fk, rk, rw, first, foffs, np.diff(offs).astype(np.float64))


def idf_table(sides: Sequence[Profiles]) -> np.ndarray:
    """Smoothed idf of each hash bucket, over the sentences of all given sides (each hash once per sentence)."""
    n_sent = sum(len(p.offs) - 1 for p in sides)
    df = np.zeros(1 << IDF_BITS, np.float64)
    mask = np.uint64((1 << IDF_BITS) - 1)
    for p in sides:
        df += np.bincount((p.raw[p.first] & mask).astype(np.int64), minlength=1 << IDF_BITS)
    return np.log((n_sent + 1.0) / (df + 1.0)).astype(np.float32)


def weighted(p: Profiles, idf: np.ndarray) -> Profiles:
    mask = np.uint64((1 << IDF_BITS) - 1)
    return Profiles(p.hashes, p.weights * idf[(p.keys & mask).astype(np.int64)], p.keys, p.raw,
                    p.raw_weights * idf[(p.raw & mask).astype(np.int64)], p.first, p.offs, p.chars)


@nb.njit(cache=True)
def _sketch(hashes, weights, offs, dim):
    n = len(offs) - 1
    out = np.zeros((n, dim), np.float32)
    for s in range(n):
        for k in range(offs[s], offs[s + 1]):
            h = hashes[k]
            sign = 1.0 if (h >> np.uint64(40)) & np.uint64(1) else -1.0
            out[s, np.int64(h % np.uint64(dim))] += sign * weights[k]
    return out


def sketch(p: Profiles, dim: int) -> np.ndarray:
    """Dense signed feature-hashing projection of each sentence's weighted profile (rows not normalised)."""
    return _sketch(p.hashes, p.weights, p.offs, dim)


def normalise_rows(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norm, 1e-9)
