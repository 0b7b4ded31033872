from __future__ import annotations

from pathlib import Path

import pytest

from align.errors import AlignError
from align.goldeval import (
    check_alignment_ids,
    read_alignment,
    read_document_pairs,
    score_alignments,
    score_document_pairs,
)

GOLD = [((0,), (0,)), ((1,), (1, 2)), ((2,), ()), ((), (3,)), ((3, 4), (4,))]


def test_read_alignment_accepts_scores_and_compact_lists(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("[0]:[0]:0.9000\n\n[1,2]:[1, 2]\n[3]:[]:0.1\n[]:[3]\n", encoding="utf-8")
    assert read_alignment(f) == [((0,), (0,)), ((1, 2), (1, 2)), ((3,), ()), ((), (3,))]


def test_read_alignment_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.txt"
    f.write_text("[0]:[0]\n0 - 1\n", encoding="utf-8")
    with pytest.raises(AlignError, match=r"bad\.txt:2"):
        read_alignment(f)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AlignError, match="no such"):
        read_alignment(tmp_path / "nope.txt")


def test_ids_out_of_range() -> None:
    check_alignment_ids(GOLD, 5, 5, "g.txt")
    with pytest.raises(AlignError, match="g.txt: target id 4 is out of range"):
        check_alignment_ids(GOLD, 5, 4, "g.txt")
    check_alignment_ids(GOLD, None, None, "g.txt")


def test_perfect_prediction_scores_one() -> None:
    s = score_alignments([GOLD], [GOLD])
    assert (s.strict.precision, s.strict.recall, s.strict.f1) == (1.0, 1.0, 1.0)
    assert s.lax.f1 == 1.0
    assert s.n_pred == 5 and s.n_gold == 3  # recall ignores insertions/deletions


def test_strict_and_lax_counts_follow_vecalign_semantics() -> None:
    pred = [
        ((0,), (0,)),        # strict hit
        ((1,), (1,)),        # lax hit (overlaps gold [1]:[1,2] on both sides)
        ((), (2,)),          # insertion not in gold: no hit at all
        ((2,), ()),          # deletion matching gold: strict hit
        ((), (3,)),          # strict hit
        ((3, 4), (4,)),      # strict hit
        ((), ()),            # empty on both sides: ignored
    ]
    s = score_alignments([GOLD], [pred])
    assert s.n_pred == 6
    assert s.strict.precision == pytest.approx(4 / 6)
    assert s.lax.precision == pytest.approx(5 / 6)
    # recall over the 3 non-empty gold pairs against the 3 non-empty output pairs
    assert s.strict.recall == pytest.approx(2 / 3)
    assert s.lax.recall == pytest.approx(1.0)
    p, r = s.strict.precision, s.strict.recall
    assert s.strict.f1 == pytest.approx(2 * p * r / (p + r))


def test_micro_average_sums_counts_over_documents() -> None:
    g1, g2 = [((0,), (0,))], [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    p1, p2 = [((0,), (1,))], g2
    s = score_alignments([g1, g2], [p1, p2])
    assert s.strict.precision == pytest.approx(3 / 4)
    assert s.strict.recall == pytest.approx(3 / 4)


def test_document_pairs(tmp_path: Path) -> None:
    gold = {("fr1", "en1"), ("fr2", "en2"), ("fr3", "en3")}
    pred = {("fr1", "en1"), ("fr2", "en3")}
    assert score_document_pairs(gold, pred) == pytest.approx((0.5, 1 / 3, 0.4))
    assert score_document_pairs(gold, set()) == (0.0, 0.0, 0.0)
    f = tmp_path / "pairs.tsv"
    f.write_text("fr1\ten1\t0.9\n\nfr2\ten2\n", encoding="utf-8")
    assert read_document_pairs(f) == {("fr1", "en1"), ("fr2", "en2")}
    f.write_text("fr1 en1\n", encoding="utf-8")
    with pytest.raises(AlignError, match="pairs.tsv:1"):
        read_document_pairs(f)


def test_cli_takes_several_files_after_one_flag(tmp_path: Path) -> None:
    """`--gold A B --pred C D` (as documented) scores the same as repeating each flag."""
    import subprocess
    import sys

    from align.cli import expand_multi_value

    assert expand_multi_value(["eval-alignment", "--gold", "a", "b", "--pred", "c", "d", "--doc-gold", "x"]) == [
        "eval-alignment", "--gold", "a", "--gold", "b", "--pred", "c", "--pred", "d", "--doc-gold", "x"]
    assert expand_multi_value(["sentences", "--src", "a", "b"]) == ["sentences", "--src", "a", "b"]

    g1, g2, p1, p2 = (tmp_path / name for name in ("g1", "g2", "p1", "p2"))
    g1.write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    g2.write_text("[0]:[0, 1]\n", encoding="utf-8")
    p1.write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    p2.write_text("[0]:[0]\n[]:[1]\n", encoding="utf-8")
    exe = Path(sys.executable).parent / "align"
    run = subprocess.run([exe, "eval-alignment", "--gold", g1, g2, "--pred", p1, p2],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    # 4 output pairs, 2 exact; 3 gold pairs with both sides, 2 found exactly.
    assert "strict    0.5000  0.6667  0.5714" in run.stdout
    assert "(2 documents, 4 output pairs, 3 gold pairs with both sides)" in run.stdout
