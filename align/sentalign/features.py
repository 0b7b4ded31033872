"""Sentence representations: hashed n-gram multisets (exact overlaps) and dense sketches (fast search).

A sentence is the bag of its character n-grams (lower-cased, whitespace
removed, as in chrF) and word uni/bigrams. n-grams are hashed to 32 bits
(collisions within one document are negligible) and then numbered over the
vocabulary of all the document's texts (translation, target, source), so that
overlaps sum(min(count_a, count_b)) can be taken with a dense scatter array.
Every n-gram is weighted by its inverse document frequency over the two sides
of a view, so that shared function words count little.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np

Arr = np.ndarray   # short alias for the signatures of the numba kernels



@nb.njit(cache=True, inline="always")
def _mix(h: np.uint64) -> np.uint64:
    # splitmix64 finaliser: spreads polynomial hashes evenly over the 32 bits kept
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@nb.njit(cache=True)
def _ngrams(cps: Arr, offs: Arr, nmin: int, nmax: int, wcps: Arr, woffs: Arr) -> tuple[Arr, Arr]:
    """32-bit n-gram keys of every sentence, repeats kept (low two bits: kind of n-gram).

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
                buf[pos] = _mix(h) << np.uint64(2)   # low bits 00: character n-gram
                pos += 1
        wa, wb = woffs[s], woffs[s + 1]
        if wb > wa:
            prev = np.uint64(0)
            cur = np.uint64(77)
            digit = False
            for k in range(wa, wb + 1):
                if k == wb or wcps[k] == 32:
                    # low bits: 01 word n-gram, 11 word unigram with a digit (numbers match across languages)
                    tag = np.uint64(3) if digit else np.uint64(1)
                    buf[pos] = (_mix(cur) << np.uint64(2)) | tag
                    pos += 1
                    if prev != np.uint64(0):
                        buf[pos] = (_mix(_mix(prev) ^ cur) << np.uint64(2)) | np.uint64(1)
                        pos += 1
                    prev = cur
                    cur = np.uint64(77)
                    digit = False
                else:
                    cur = cur * np.uint64(1000003) + np.uint64(wcps[k])
                    digit = digit or 48 <= wcps[k] <= 57
        o = out_offs[s]
        keys[o:o + pos] = (buf[:pos] & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return keys, out_offs


@nb.njit(cache=True)
def _vocabulary(keys: Arr) -> tuple[Arr, Arr]:
    """Number distinct keys in order of first appearance (open-addressing hash table, grown as needed).

    Returns (id of each key, key of each id); much faster than np.unique(return_inverse=True).
    """
    size = 1 << 16
    while size < len(keys) and size < 1 << 22:   # no rebuild when up to half the keys are distinct (typical:
        size *= 2                                # 40%), up to 32 MB; larger texts grow the table as needed
    table_k = np.zeros(size, np.uint32)
    table_v = np.full(size, -1, np.int32)
    vocab = np.empty(len(keys), np.uint32)
    ids = np.empty(len(keys), np.int32)
    nv = 0
    for t in range(len(keys)):
        if 2 * (nv + 1) > size:   # keep the load under 1/2: rebuild twice as large
            size *= 2
            table_k = np.zeros(size, np.uint32)
            table_v = np.full(size, -1, np.int32)
            for v in range(nv):
                h = (np.uint64(vocab[v]) * np.uint64(0x9E3779B1)) & np.uint64(size - 1)
                while table_v[h] >= 0:
                    h = (h + np.uint64(1)) & np.uint64(size - 1)
                table_k[h] = vocab[v]
                table_v[h] = v
        key = keys[t]
        h = (np.uint64(key) * np.uint64(0x9E3779B1)) & np.uint64(size - 1)
        while table_v[h] >= 0 and table_k[h] != key:
            h = (h + np.uint64(1)) & np.uint64(size - 1)
        if table_v[h] < 0:
            table_k[h] = key
            table_v[h] = nv
            vocab[nv] = key
            nv += 1
        ids[t] = table_v[h]
    return ids, vocab[:nv].copy()


@nb.njit(cache=True)
def _runs(inverse: Arr, offs: Arr, nv: int) -> tuple[Arr, Arr, Arr]:
    """Collapse each sentence's keys (as vocabulary ids) into (id, count) runs, in order of first appearance."""
    n = len(offs) - 1
    ids = np.empty(len(inverse), np.int32)
    counts = np.empty(len(inverse), np.float32)
    out_offs = np.zeros(n + 1, np.int64)
    slot = np.full(nv, -1, np.int64)   # where each id's run is; a run before this sentence's start is stale
    pos = 0
    for s in range(n):
        start = pos
        for k in range(offs[s], offs[s + 1]):
            v = inverse[k]
            if slot[v] < start:
                slot[v] = pos
                ids[pos] = v
                counts[pos] = 1.0
                pos += 1
            else:
                counts[slot[v]] += 1.0
        out_offs[s + 1] = pos
    return ids[:pos].copy(), counts[:pos].copy(), out_offs


@nb.njit(cache=True)
def _mass(ids: Arr, counts: Arr, offs: Arr, weights: Arr) -> Arr:
    n = len(offs) - 1
    out = np.zeros(n)
    for s in range(n):
        for k in range(offs[s], offs[s + 1]):
            out[s] += weights[ids[k]] * counts[k]
    return out


@dataclass(frozen=True)
class Runs:
    """The n-grams of the sentences of one text, numbered over the document's vocabulary: sentence i is
    ids/counts[offs[i]:offs[i + 1]]."""

    ids: np.ndarray        # int32 vocabulary ids, one run per distinct n-gram
    counts: np.ndarray     # float32 occurrences of each id in the sentence
    offs: np.ndarray       # int64
    chars: np.ndarray      # float64, non-space characters per sentence


@dataclass(frozen=True)
class Bags(Runs):
    """Runs of one side of a view, with the view's weighted n-gram total per sentence."""

    mass: np.ndarray       # float64


_NONWORD = re.compile(r"[\W_]+")


def _codepoints(texts: Sequence[str]) -> tuple[Arr, Arr]:
    offs = np.zeros(len(texts) + 1, np.int64)
    np.cumsum([len(t) for t in texts], out=offs[1:])
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return cps, offs


@dataclass(frozen=True)
class Keys:
    """n-gram keys of the sentences of one text, repeats kept: sentence i is keys[offs[i]:offs[i + 1]]."""

    keys: np.ndarray       # uint32
    offs: np.ndarray       # int64
    chars: np.ndarray      # float64, non-space characters per sentence


def ngram_keys(texts: Sequence[str], char_orders: tuple[int, int]) -> Keys:
    """n-gram keys of ``texts`` (language-agnostic: Unicode lower-case and \\w)."""
    lowered = [t.lower() for t in texts]
    chars = ["".join(t.split()) for t in lowered]
    words = [_NONWORD.sub(" ", t).strip() for t in lowered]
    cps, offs = _codepoints(chars)
    wcps, woffs = _codepoints(words)
    keys, koffs = _ngrams(cps, offs, char_orders[0], char_orders[1], wcps, woffs)
    return Keys(keys, koffs, np.diff(offs).astype(np.float64))


def vocabulary(texts: Sequence[Keys]) -> tuple[list[Runs], Arr]:
    """The n-grams of each text numbered over one vocabulary (the document's: every text of it, so that
    a text taking part in several views is numbered once), and the vocabulary's keys."""
    inverse, vocab = _vocabulary(np.concatenate([t.keys for t in texts]))
    out, start = [], 0
    for t in texts:
        ids, counts, offs = _runs(inverse[start:start + len(t.keys)], t.offs, len(vocab))
        out.append(Runs(ids, counts, offs, t.chars))
        start += len(t.keys)
    return out, vocab


def bags(a: Runs, b: Runs, vocab: Arr, word_weight: float, number_weight: float) -> tuple[Bags, Bags, Arr]:
    """Bags of the two sides of a view and the weight of each vocabulary id in it.

    Weight = idf over the sentences of both sides (x ``word_weight`` for word n-grams, x ``number_weight``
    more for words with a digit).
    """
    df = np.bincount(a.ids, minlength=len(vocab)) + np.bincount(b.ids, minlength=len(vocab))
    n_sent = len(a.chars) + len(b.chars)
    weights = np.log((n_sent + 1.0) / (df + 1.0)).astype(np.float32)
    weights[(vocab & np.uint32(1)) == 1] *= np.float32(word_weight)
    weights[(vocab & np.uint32(3)) == 3] *= np.float32(number_weight)
    side_a, side_b = (Bags(r.ids, r.counts, r.offs, r.chars, _mass(r.ids, r.counts, r.offs, weights)) for r in (a, b))
    return side_a, side_b, weights


@nb.njit(cache=True)
def _sketch(ids: Arr, counts: Arr, offs: Arr, weights: Arr, vocab: Arr, dim: int) -> Arr:
    n = len(offs) - 1
    out = np.zeros((n, dim), np.float32)
    for s in range(n):
        for k in range(offs[s], offs[s + 1]):
            h = vocab[ids[k]]
            sign = 1.0 if (h >> np.uint32(31)) & np.uint32(1) else -1.0
            out[s, np.int64((h >> np.uint32(2)) % np.uint32(dim))] += sign * weights[ids[k]] * counts[k]
    return out


def sketch(x: Bags, weights: Arr, vocab: Arr, dim: int) -> Arr:
    """Dense signed feature-hashing projection of each sentence's weighted bag (rows not normalised)."""
    return _sketch(x.ids, x.counts, x.offs, weights, vocab, dim)


def normalise_rows(x: Arr) -> Arr:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norm, 1e-9)
