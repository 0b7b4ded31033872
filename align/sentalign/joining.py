"""Joining the 1-1/skip path into n-m beads, with cues from the text itself (see ``join_beads``)."""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from align.sentalign.config import AlignConfig

Sim = Callable[[int, int, int, int], float]   # similarity of the bead [s0, s1) x [t0, t1)
Sized = Callable[[list[int]], float]         # length weight of a bead span

# a year in parentheses opens the rest of an author-date reference ("BOWE, Frank." + "(1988), «Why ...»")
_YEAR = re.compile(r"\(\d{4}[a-z]?\)")


def join_beads(spans: list[list[int]], src: Sequence[str], tgt: Sequence[str], sim: Sim, sized: Sized,
               cfg: AlignConfig) -> list[list[int]]:
    """Bead spans ``[s0, s1, t0, t1]`` of the 1-1/skip path joined into n-m beads: best-first joining,
    boundary moves, cuts of joined beads, then punctuation-only segments placed by position and typography."""
    cues = Cues.of(src, tgt)
    spans = _refine(_merge(spans, sim, sized, cfg, cues), sim, sized, cfg)
    spans = _split(spans, sim, sized, cfg, cues.continues)
    spans = _pair_punctuation(_attach_punctuation(spans, cues.punct, cfg.max_side), cues.punct)
    return _attach_stray_punctuation(spans, cues, cfg.max_side)


def aligned(span: Sequence[int]) -> bool:
    """Whether a bead span ``[s0, s1, t0, t1]`` has sentences on both sides."""
    return span[0] < span[1] and span[2] < span[3]


def union(x: Sequence[int], y: Sequence[int]) -> list[int]:
    """The span of two adjacent bead spans, ``x`` before ``y`` (or of all the beads from ``x`` to ``y``)."""
    return [x[0], y[1], x[2], y[3]]


def _fits(span: Sequence[int], max_side: int) -> bool:
    """Whether a bead span has at most ``max_side`` sentences on each side."""
    return span[1] - span[0] <= max_side and span[3] - span[2] <= max_side


# --------------------------------------------------------------------------- cues from the text

Flags = tuple[list[bool], list[bool]]   # one flag per sentence: (source side, target side)


@dataclass(frozen=True)
class Cues:
    """What the text itself says about each sentence (see the functions below)."""

    continues: Flags   # it continues the sentence before it
    cut: Flags         # the splitter cut inside a sentence just before it
    alone: Flags       # a line of its own: heading, caption, boilerplate
    punct: Flags       # only punctuation: layout, nothing to translate
    trails: Flags      # punctuation that ends the sentence before it (a ";" split off a list item)
    leads: Flags       # punctuation that leads into the segment after it (dot leaders, an opening quote)

    @classmethod
    def of(cls, src: Sequence[str], tgt: Sequence[str]) -> Cues:
        a, b = _side_cues(src), _side_cues(tgt)
        return cls(*zip(a, b))


def _side_cues(texts: Sequence[str]) -> tuple[list[bool], ...]:
    """The cues of one side, in the order of Cues' fields, each computed once."""
    cut = _cut_mid_sentence(texts)
    continues = _continues(texts, cut)
    punct = _punctuation_only(texts)
    trails, leads = _punctuation_roles(texts, punct)
    return continues, cut, _stands_alone(texts, continues), punct, trails, leads


def _cut_mid_sentence(texts: Sequence[str]) -> list[bool]:
    """Whether the sentence splitter cut inside a sentence before each one: it closes a parenthesis the
    sentence before left open ("... a verification data (." + "@cs) file ..."), it starts in lower
    case right after a full stop (a file name "monitor_pg001." + "ext", an abbreviation), or it starts
    with a year in parentheses (a reference cut after the author's initials: "Smith, J." + "(1992) ...")."""
    depth = [t.count("(") - t.count(")") for t in texts]
    return [k > 0 and ((depth[k - 1] > 0 and depth[k] < 0)
                       or (texts[k - 1].rstrip().endswith(".") and texts[k].lstrip()[:1].islower())
                       or _YEAR.match(texts[k].lstrip()) is not None)
            for k in range(len(texts))]


def _continues(texts: Sequence[str], cut: list[bool]) -> list[bool]:
    """Whether each sentence continues the one before it (OCR line breaks, wrong sentence splits): it
    starts in lower case, or the splitter cut inside a sentence before it (``cut``)."""
    return [t.lstrip()[:1].islower() or c for t, c in zip(texts, cut)]


_SENTENCE_END = ".!?;:…\"'»”’"


def _stands_alone(texts: Sequence[str], continues: list[bool]) -> list[bool]:
    """Whether each sentence is a line of its own: a heading, caption or web boilerplate ("Read more"),
    i.e. it neither continues the one before it nor ends like a sentence."""
    return [bool(t.strip()) and t.rstrip()[-1] not in _SENTENCE_END and not c for t, c in zip(texts, continues)]


def _punctuation_only(texts: Sequence[str]) -> list[bool]:
    """Whether each segment is only punctuation or symbols (dot leaders of a table of contents, a
    stray bullet): no letter or digit, nothing to translate."""
    return [bool(t.strip()) and not any(c.isalnum() for c in t) for t in texts]


# a closing mark ends what comes before it; dot leaders and an opening mark lead into what follows
_CLOSING = tuple(",;:!?)]»”’")
_LEADING = re.compile(r"[.\s…]+|[(\[«“\"]")   # dots only: leaders (or a full stop, which ends nothing on its own)


def _punctuation_roles(texts: Sequence[str], punct: list[bool]) -> Flags:
    """Which punctuation-only segments belong with the sentence before them (a closing mark after a
    sentence left without final punctuation: "… (maison, appartement)" + ";") and which with the one
    after them (dot leaders before a page number, an opening quote)."""
    trails, leads = [], []
    for k, t in enumerate(texts):
        s = t.strip()
        trail = (punct[k] and k > 0 and s.startswith(_CLOSING) and bool(texts[k - 1].strip())
                 and texts[k - 1].rstrip()[-1] not in _SENTENCE_END)
        trails.append(trail)
        leads.append(punct[k] and not trail and _LEADING.fullmatch(s) is not None)
    return trails, leads


# --------------------------------------------------------------------------- joining, in the order applied


def _merge(spans: list[list[int]], sim: Sim, sized: Sized,
           cfg: AlignConfig, cues: Cues) -> list[list[int]]:
    """Join adjacent beads best-first while the joined bead is clearly more similar than its parts.

    "Its parts" is the length-weighted mean similarity of the two beads (``sim`` includes the
    length-ratio penalty). Joining two correct 1-1 beads
    gives about that mean (a little more: adjacent sentences share topic words), so two aligned beads
    are joined only when the whole beats the mean by ``merge_margin``; the pieces of a bead that the
    1-1 pass split (crossing sentence boundaries) are each clearly worse than the whole. An unaligned
    sentence (as Bleualign grows its anchors) joins when the gain exceeds ``merge_gain``, or, when one
    of the two continues the other (lower-case start: an OCR line break or a wrong sentence split), when
    the similarity drops by less than ``drop_tolerance``: such a fragment is often too short to add
    any similarity. A line that stands alone (no final punctuation: a heading, web boilerplate) joins
    only when it raises the similarity by ``merge_gain`` itself; a 1-1 bead of two such lines (a
    heading and its translation) joins a neighbour only when the similarity drops by less than
    ``drop_tolerance`` (short headings share a word or two with the section they open, which would
    otherwise pass the mean test). Two aligned beads whose boundary is a cut inside a sentence on both
    sides (see _cut_mid_sentence) are always joined: the splitter broke one sentence in both languages. Two
    unaligned beads are never joined (the 1-1 pass rejected them), nor is an unaligned punctuation-only
    segment (nothing to judge it by: _pair_punctuation and _attach_stray_punctuation place it).
    """
    beads = [list(b) for b in spans]
    paired = [aligned(b) for b in beads]
    score = [sim(*b) if al else -math.inf for b, al in zip(beads, paired)]
    nxt = list(range(1, len(beads) + 1))
    prv = list(range(-1, len(beads) - 1))
    alive = [True] * len(beads)
    version = [0] * len(beads)

    def heading(b: list[int]) -> bool:
        return b[1] - b[0] == 1 and b[3] - b[2] == 1 and cues.alone[0][b[0]] and cues.alone[1][b[2]]

    def candidate(k: int) -> tuple[float, list[int]] | None:
        """Gain of joining bead k with the next live bead, or None if not allowed."""
        q = nxt[k]
        if q >= len(beads) or not (paired[k] or paired[q]):
            return None
        x, y = beads[k], beads[q]
        if not (sized(x) and sized(y)):
            return None   # an empty line stays on its own
        joined = union(x, y)
        if not _fits(joined, cfg.max_side):
            return None
        f = sim(*joined)
        margin = cfg.merge_margin if paired[k] and paired[q] else cfg.merge_gain
        # an unaligned part adds length but no similarity
        sx, sy = sized(x), sized(y)
        fx = score[k] if paired[k] else 0.0
        fy = score[q] if paired[q] else 0.0
        gain = f - (sx * fx + sy * fy) / (sx + sy) - margin
        if not (paired[k] and paired[q]):
            u = y if paired[k] else x   # the unaligned bead
            side = 0 if u[0] < u[1] else 1
            if cues.punct[side][u[2 * side]]:
                return None   # layout has no content to judge by: placed by position (_pair_punctuation)
            if cues.alone[side][u[2 * side]]:
                # a heading or boilerplate line joins a neighbour only if it raises the neighbour's
                # similarity itself (not just more than its length would lower it)
                gain = min(gain, f - max(fx, fy) - cfg.merge_gain)
            if cues.continues[side][y[2 * side]]:
                # the unaligned sentence is a piece of its neighbour's sentence (or the reverse): it
                # joins unless that clearly lowers the similarity, even if it adds none
                gain = max(gain, f - max(fx, fy) + cfg.drop_tolerance)
        elif heading(x) or heading(y):
            gain = min(gain, f - max(fx, fy) + cfg.drop_tolerance)
        elif cues.cut[0][y[0]] and cues.cut[1][y[2]]:
            gain = max(gain, 1.0)   # one sentence the splitter cut on both sides: its pieces belong together
        return (gain, joined) if gain > 0 else None

    heap: list[tuple[float, int, int, int]] = []

    def push(k: int) -> None:
        if 0 <= k < len(beads) and alive[k]:
            c = candidate(k)
            if c is not None:
                heapq.heappush(heap, (-c[0], k, version[k], version[nxt[k]]))

    for k in range(len(beads) - 1):
        push(k)
    while heap:
        _, k, vk, vq = heapq.heappop(heap)
        q = nxt[k] if alive[k] else -1
        if q < 0 or q >= len(beads) or version[k] != vk or version[q] != vq:
            continue
        c = candidate(k)
        if c is None:
            continue
        beads[k] = c[1]
        paired[k] = True
        score[k] = sim(*c[1])
        alive[q] = False
        nxt[k] = nxt[q]
        if nxt[q] < len(beads):
            prv[nxt[q]] = k
        version[k] += 1
        push(k)
        push(prv[k])
    return [b for b, al in zip(beads, alive) if al]


def _refine(spans: list[list[int]], sim: Sim, sized: Sized,
            cfg: AlignConfig) -> list[list[int]]:
    """Move single sentences across the boundary of two adjacent aligned beads when that helps.

    Greedy joining decides which neighbour a sentence joins one pair of beads at a time; here each
    boundary sentence may move to the other bead when the length-weighted similarity of the two beads
    rises (e.g. [42]:[77] + [43]:[78, 79] -> [42]:[77, 78] + [43]:[79]).
    """
    def value(x: list[int], y: list[int]) -> float:
        return sized(x) * sim(*x) + sized(y) * sim(*y)

    out = [list(b) for b in spans]
    for k in range(len(out) - 1):
        x, y = out[k], out[k + 1]
        if not (aligned(x) and aligned(y)):
            continue
        best, choice = value(x, y) + cfg.refine_gain * (sized(x) + sized(y)), None
        for side in (0, 2):   # source boundary, target boundary
            for step in (-1, 1):   # -1: x's last sentence goes to y; +1: y's first goes to x
                cut = x[side + 1] + step
                if not (x[side] < cut < y[side + 1]):
                    continue
                nx, ny = list(x), list(y)
                nx[side + 1] = ny[side] = cut
                if not (_fits(nx, cfg.max_side) and _fits(ny, cfg.max_side)):
                    continue
                v = value(nx, ny)
                if v > best:
                    best, choice = v, (nx, ny)
        if choice is not None:
            out[k], out[k + 1] = choice
    return out


def _split(spans: list[list[int]], sim: Sim, sized: Sized,
           cfg: AlignConfig, continues: Flags) -> list[list[int]]:
    """Cut each joined bead in two where the joining test no longer holds for the final bead.

    Greedy joining tests a bead against the two parts it was built from, but later joins and moves can
    leave a bead that one of its other cuts explains almost as well (e.g. [63, 64, 65]:[64, 65, 66]
    built from three 1-1 beads where [63, 64]:[64] + [65]:[65, 66] is the reading). Each bead must beat
    its best cut by the margin _merge uses: ``merge_margin`` when both parts are aligned, ``merge_gain``
    when one sentence is left unaligned. A sentence that continues the one before it is not cut off from it.
    """
    out = []
    for b in spans:
        s0, s1, t0, t1 = b
        if not aligned(b) or (s1 - s0 == 1 and t1 - t0 == 1):
            out.append(b)
            continue
        whole = sized(b) * sim(*b)
        best, choice = 0.0, None
        for a in range(s0, s1 + 1):
            if s0 < a < s1 and continues[0][a]:
                continue
            for c in range(t0, t1 + 1):
                if t0 < c < t1 and continues[1][c]:
                    continue
                x, y = [s0, a, t0, c], [a, s1, c, t1]
                if any(not aligned(p) and p[1] - p[0] + p[3] - p[2] != 1 for p in (x, y)):
                    continue   # not a cut, or more than one sentence left unaligned (they join one at a time)
                margin = cfg.merge_margin if aligned(x) and aligned(y) else cfg.merge_gain
                v = sum(sized(p) * sim(*p) for p in (x, y) if aligned(p)) + margin * sized(b) - whole
                if v > best:
                    best, choice = v, [x, y]
        out.extend(choice or [b])
    return out


def _attach_punctuation(spans: list[list[int]], punct: Flags, max_side: int) -> list[list[int]]:
    """Join each aligned bead made only of punctuation segments to the aligned bead that follows.

    Such a bead ("  . . . . ." ↔ ". . . . .") is layout, not a translation unit: the leaders of a
    table-of-contents line belong with the page number after them.
    """
    out: list[list[int]] = []
    k = 0
    while k < len(spans):
        b = spans[k]
        nxt = spans[k + 1] if k + 1 < len(spans) else None
        if (aligned(b) and _layout(b, punct) and nxt is not None and aligned(nxt)
                and _fits(union(b, nxt), max_side)):
            out.append(union(b, nxt))
            k += 2
            continue
        out.append(b)
        k += 1
    return out


def _pair_punctuation(spans: list[list[int]], punct: Flags) -> list[list[int]]:
    """Pair an unaligned punctuation-only segment with one on the other side next to it.

    Similarity cannot tell layout lines apart (". . . ." ↔ "."); at the same place in the text they
    are counterparts, not a deletion next to an insertion.
    """
    out: list[list[int]] = []
    for b in spans:
        if out and not aligned(out[-1]) and not aligned(b):
            both = union(out[-1], b)
            if aligned(both) and _layout(both, punct):   # one sentence on each side, both layout
                out[-1] = both
                continue
        out.append(b)
    return out


def _layout(span: Sequence[int], punct: Flags) -> bool:
    """Whether every sentence of a bead span is punctuation only."""
    return all(punct[0][span[0]:span[1]]) and all(punct[1][span[2]:span[3]])


def _attach_stray_punctuation(spans: list[list[int]], cues: Cues, max_side: int) -> list[list[int]]:
    """Join each punctuation-only segment still unaligned to the aligned bead it belongs with.

    Nothing in it can be translated, so similarity cannot place it; its typography can: a closing
    mark split off the sentence before it goes with that sentence's bead, dot leaders or an opening
    quote with the bead that follows (``Cues.trails``, ``Cues.leads``). Other punctuation stays unaligned.
    """
    out = [list(b) for b in spans]
    k = 0
    while k < len(out):
        b = out[k]
        if not aligned(b):   # one sentence on one side
            side = 0 if b[0] < b[1] else 1
            i = b[2 * side]
            for j, wanted in ((k - 1, cues.trails[side][i]), (k + 1, cues.leads[side][i])):
                if wanted and 0 <= j < len(out) and aligned(out[j]):
                    joined = union(out[min(j, k)], out[max(j, k)])
                    if _fits(joined, max_side):
                        out[min(j, k):max(j, k) + 1] = [joined]
                        k = min(j, k)
                        break
        k += 1
    return out
