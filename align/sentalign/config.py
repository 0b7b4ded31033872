"""Aligner parameters (one frozen dataclass, shared by the stages of the aligner)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlignConfig:
    """Aligner parameters; the defaults were tuned on the dev benchmarks (scripts/bench_alignment.py)."""

    max_side: int = 5            # at most this many sentences on each side of a bead (but a reordered passage)
    char_orders: tuple[int, int] = (2, 5)   # character n-gram orders, inclusive (whitespace removed)
    word_weight: float = 1.0     # weight of a word uni/bigram relative to a character n-gram
    number_weight: float = 2.0   # extra weight of a word containing a digit (numbers survive translation)
    source_weight: float = 0.4   # weight of the untranslated source against the target (names, numbers,
                                 # cognates the MT mangled), relative to the MT view; 0 for other scripts
    threshold: float = -0.04     # a 1-1 bead is kept when its background-corrected similarity exceeds this
    length_weight: float = 0.04  # weight of the squared log char-length ratio of a bead's two sides
    sketch_dim: int = 512        # size of the dense hashed sentence vectors used to find the path
    path_threshold: float = 0.1  # a 1-1 step of the search path must have a sketch cosine above this
    band_width: int = 4          # exact beads are searched within this many sentences of the path
    full_search_cells: int = 4_000_000   # above this many sentence pairs, search the path coarse-to-fine
    coarse_blocks: int = 800     # about this many blocks per side in the coarse pass
    band_margin: int = 2         # band half-width around the coarse path, in blocks
    merge_gain: float = 0.01     # an unaligned neighbour joins a bead when similarity rises by more (see joining.py)
    merge_margin: float = 0.05   # two aligned beads are joined when the whole beats their mean by more
    margin_reference: float = 0.2   # a document whose median 1-1 similarity is lower (weaker MT) gets
                                    # merge_margin times sqrt(median / this)
    drop_tolerance: float = 0.02   # a fragment (lower-case start) or a heading pair joins a neighbour
                                   # unless the similarity drops by more than this (see joining.py)
    refine_gain: float = 0.01    # a boundary sentence moves to the next bead when similarity rises by more
    # reordered passages (reorder.py): crossing links are searched this many targets either side of the path
    # (0: off); a link is each other's best match by this margin over the runner-up in its row and its column;
    # a passage is reordered with at least reorder_links crossing links and reorder_density links per bead
    reorder_window: int = 200
    reorder_margin: float = 0.1
    reorder_links: int = 3
    reorder_density: float = 0.1
