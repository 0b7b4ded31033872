"""Sentence representations: hashed n-gram multisets (exact overlaps) and dense sketches (fast search).

A sentence is the multiset of its character n-grams (lower-cased, whitespace
removed, as in chrF) and word uni/bigrams, stored as a sorted array of 32-bit
hashed keys with repeats, so that sum(min(count_a, count_b)) is one merge of
two sorted arrays (collisions within one document are negligible). Every
n-gram is weighted by its inverse document frequency over both sides of the
document, so that shared function words count little.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np

IDF_BITS = 18   # n-grams are bucketed into 2**18 bins to count document frequencies


@nb.njit(cache=True, inline="always")
def _mix(h: np.uint64) -> np.uint64:
    # splitmix64 finaliser: spreads polynomial hashes evenly over the 32 bits kept
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@nb.njit(cache=True)
def _ngrams(cps, offs, nmin, nmax, wcps, woffs, word_weight):
    """Sorted 32-bit n-gram keys of every sentence (repeats kept), their class weights, first-of-run flags.

    cps/offs: concatenated code points (whitespace removed) and sentence offsets;
    wcps/woffs: the same for the word stream (words separated by one space, code 32).
    """
    n = len(offs) - 1
    out_offs = np.zeros(n + 1, np.int64)
    for s in range(n):
        length = offs[s + 1] - offs[s]
        c = 0
        for order in range(nmin, nmax + 1):
            if length >= order:
                c += length - order + 1
        if woffs[s + 1] > woffs[s]:
            words = 1
            for k in range(woffs[s], woffs[s + 1]):
                if wcps[k] == 32:
                    words += 1
            c += 2 * words - 1   # unigrams and bigrams
        out_offs[s + 1] = out_offs[s] + c
    keys = np.empty(out_offs[n], np.uint32)
    weights = np.empty(out_offs[n], np.float32)
    first = np.zeros(out_offs[n], np.bool_)
    longest = np.max(np.diff(out_offs)) if n else 0
    buf = np.empty(longest, np.uint64)
    for s in range(n):
        pos = 0
        a, b = offs[s], offs[s + 1]
        for order in range(nmin, nmax + 1):
            for start in range(a, b - order + 1):
                h = np.uint64(order)
                for k in range(start, start + order):
                    h = h * np.uint64(1000003) + np.uint64(cps[k])
                buf[pos] = _mix(h) << np.uint64(1)   # low bit 0: character n-gram
                pos += 1
        wa, wb = woffs[s], woffs[s + 1]
        if wb > wa:
            prev = np.uint64(0)
            cur = np.uint64(77)
            for k in range(wa, wb + 1):
                if k == wb or wcps[k] == 32:
                    buf[pos] = (_mix(cur) << np.uint64(1)) | np.uint64(1)   # low bit 1: word n-gram
                    pos += 1
                    if prev != np.uint64(0):
                        buf[pos] = (_mix(_mix(prev) ^ cur) << np.uint64(1)) | np.uint64(1)
                        pos += 1
                    prev = cur
                    cur = np.uint64(77)
                else:
                    cur = cur * np.uint64(1000003) + np.uint64(wcps[k])
        o = out_offs[s]
        seg = np.sort((buf[:pos] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        for t in range(pos):
            keys[o + t] = seg[t]
            weights[o + t] = word_weight if seg[t] & np.uint32(1) else 1.0
            first[o + t] = t == 0 or seg[t] != seg[t - 1]
    return keys, weights, first, out_offs


@dataclass(frozen=True)
class Profiles:
    """n-gram multisets of the sentences of one side."""

    keys: np.ndarray       # uint32 n-gram keys with repeats, sorted within each sentence
    weights: np.ndarray    # float32, weight of each key (class weight, times idf once weighted)
    first: np.ndarray      # bool, key is the first of its run (for document frequencies)
    offs: np.ndarray       # int64, sentence i is keys[offs[i]:offs[i + 1]]
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
    keys, weights, first, foffs = _ngrams(cps, offs, char_orders[0], char_orders[1], wcps, woffs,
                                          np.float32(word_weight))
    return Profiles(keys, weights, first, foffs, np.diff(offs).astype(np.float64))


def idf_table(sides: Sequence[Profiles]) -> np.ndarray:
    """Smoothed idf of each hash bucket, over the sentences of all given sides (each hash once per sentence)."""
    n_sent = sum(len(p.offs) - 1 for p in sides)
    df = np.zeros(1 << IDF_BITS, np.float64)
    mask = np.uint32((1 << IDF_BITS) - 1)
    for p in sides:
        df += np.bincount((p.keys[p.first] & mask).astype(np.int64), minlength=1 << IDF_BITS)
    return np.log((n_sent + 1.0) / (df + 1.0)).astype(np.float32)


def weighted(p: Profiles, idf: np.ndarray) -> Profiles:
    mask = np.uint32((1 << IDF_BITS) - 1)
    return Profiles(p.keys, p.weights * idf[(p.keys & mask).astype(np.int64)], p.first, p.offs, p.chars)


@nb.njit(cache=True)
def _sketch(hashes, weights, offs, dim):
    n = len(offs) - 1
    out = np.zeros((n, dim), np.float32)
    for s in range(n):
        for k in range(offs[s], offs[s + 1]):
            h = hashes[k]
            sign = 1.0 if (h >> np.uint32(31)) & np.uint32(1) else -1.0
            out[s, np.int64((h >> np.uint32(1)) % np.uint32(dim))] += sign * weights[k]
    return out


def sketch(p: Profiles, dim: int) -> np.ndarray:
    """Dense signed feature-hashing projection of each sentence's weighted profile (rows not normalised)."""
    return _sketch(p.keys, p.weights, p.offs, dim)


def normalise_rows(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norm, 1e-9)
