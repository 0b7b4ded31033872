from __future__ import annotations

from pathlib import Path

import pytest

from align.errors import AlignError
from align.sentalign import (AlignConfig, Bead, align_sentences, format_alignment, read_sentence_file,
                             write_alignment)

# Distinct sentences with little vocabulary in common, so that each has one clear counterpart.
TEXT = [
    "The committee approved the new budget for public schools on Monday.",
    "Heavy rain flooded several villages in the northern valley overnight.",
    "A young pianist from Lyon won the international competition in Warsaw.",
    "Scientists discovered a previously unknown species of frog in Borneo.",
    "The railway strike disrupted travel for thousands of commuters.",
    "Museum visitors can now see the restored medieval tapestries again.",
    "Farmers protested against falling milk prices outside the ministry.",
    "The football club announced the signing of a Brazilian striker.",
    "A new bridge across the river will open to traffic in 2026.",
    "Doctors warned about the rising number of measles cases this winter.",
]


def pairs(beads: list[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.tgt) for b in beads]


def apertium_doc(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """Source, target and Apertium MT of a French-English benchmark document."""
    src, tgt, mt = (read_sentence_file(folder / f) for f in ("source.fr", "target.en", "mt.apertium.en"))
    return src, tgt, mt


def check_cover(beads: list[Bead], n: int, m: int) -> None:
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    assert src == list(range(n)) and tgt == list(range(m))  # monotone, each id exactly once
    assert all(len(b.src) + len(b.tgt) == 1 for b in beads if not (b.src and b.tgt))  # unaligned: one each
    assert all(0.0 <= b.score <= 1.0 for b in beads)


def test_identical_documents_give_the_diagonal() -> None:
    beads = align_sentences(TEXT, TEXT, TEXT)
    assert pairs(beads) == [((i,), (i,)) for i in range(len(TEXT))]
    check_cover(beads, len(TEXT), len(TEXT))


def test_insertion_and_deletion_are_left_unaligned() -> None:
    src = TEXT[:3] + ["Completely unrelated xylophone quartz jukebox zephyr."] + TEXT[3:8]
    tgt = TEXT[:5] + ["Quiet knitting circles gather wool every Thursday evening."] + TEXT[5:8]
    beads = align_sentences(src, tgt, src)
    got = pairs(beads)
    assert ((3,), ()) in got
    assert ((), (5,)) in got
    assert ((4,), (3,)) in got and ((8,), (8,)) in got
    check_cover(beads, len(src), len(tgt))


def test_one_to_two_and_two_to_one() -> None:
    a, b = TEXT[1].split(" in ", 1)
    tgt = [TEXT[0], a, "in " + b] + TEXT[2:5] + [TEXT[5] + " " + TEXT[6]] + TEXT[7:]
    beads = align_sentences(TEXT, tgt, TEXT)
    got = pairs(beads)
    assert ((1,), (1, 2)) in got
    assert ((5, 6), (6,)) in got
    assert ((0,), (0,)) in got and ((9,), (9,)) in got
    check_cover(beads, len(TEXT), len(tgt))


def test_reordered_paragraphs_give_deletions_and_insertions() -> None:
    # Paragraph B moved after C on the target side: a monotone alignment keeps the larger part
    # aligned and leaves the moved sentences unaligned on both sides.
    src = TEXT
    tgt = TEXT[:2] + TEXT[4:] + TEXT[2:4]
    beads = align_sentences(src, tgt, src)
    got = pairs(beads)
    assert ((2,), ()) in got and ((3,), ()) in got
    assert ((), (8,)) in got and ((), (9,)) in got
    assert ((4,), (2,)) in got
    check_cover(beads, len(src), len(tgt))


def test_both_directions_are_accepted() -> None:
    beads = align_sentences(TEXT, TEXT, TEXT, tgt_mt=TEXT)
    assert pairs(beads) == [((i,), (i,)) for i in range(len(TEXT))]


# Sentences unrelated to TEXT (another topic, few shared words).
OTHER = [
    "Grandmother keeps her knitting needles in a tin box on the shelf.",
    "Volcanic ash grounded flights across Iceland for three days.",
    "The orchestra rehearsed Mahler symphonies under a guest conductor.",
    "Beekeepers reported that honey yields halved after the cold spring.",
    "Our cat sleeps on the warm laptop keyboard whenever possible.",
    "Archaeologists unearthed Roman coins beneath a supermarket car park.",
    "The chess tournament ended with a surprising draw after six hours.",
    "Fresh snow closed mountain passes and stranded hikers near Zermatt.",
    "Teenagers queued overnight to buy tickets for the pop concert.",
    "A lighthouse keeper wrote poems about storms and passing ships.",
]


def test_reordered_list_is_one_bead() -> None:
    # A glossary sorted in another order on the target side (here reversed): its items cross each
    # other, so no monotone path can pair them; the whole list is one bead, as hand alignments mark it,
    # and the text around it stays 1-1.
    src = TEXT[:3] + OTHER + TEXT[3:6]
    tgt = TEXT[:3] + OTHER[::-1] + TEXT[3:6]
    beads = align_sentences(src, tgt, src)
    got = pairs(beads)
    block = (tuple(range(3, 13)), tuple(range(3, 13)))
    assert got == [((i,), (i,)) for i in range(3)] + [block] + [((i,), (i,)) for i in range(13, 16)]
    assert beads[3].score < 0.01   # a passage, not a translation unit to export
    check_cover(beads, len(src), len(tgt))
    # off, the list is left to the monotone path: nothing beyond max_side
    beads = align_sentences(src, tgt, src, config=AlignConfig(reorder_window=0))
    assert max(max(len(b.src), len(b.tgt)) for b in beads) <= AlignConfig().max_side


def test_two_swapped_items_are_not_a_reordered_list() -> None:
    # Two crossing links (a title quoted in the other language at each end of a document, two swapped
    # items) are too little evidence for a passage: each item stays a bead of its own or unaligned.
    tgt = [TEXT[7]] + TEXT[1:7] + [TEXT[0]] + TEXT[8:]
    beads = align_sentences(TEXT, tgt, TEXT)
    assert max(max(len(b.src), len(b.tgt)) for b in beads) == 1
    assert ((3,), (3,)) in pairs(beads)
    check_cover(beads, len(TEXT), len(tgt))


def test_translations_score_high_and_unrelated_texts_low() -> None:
    # Bead scores say how likely a bead is right: high for a text and its copy, low for any bead
    # between unrelated texts (document alignment relies on this to tell them apart).
    same = align_sentences(TEXT, TEXT, TEXT)
    assert min(b.score for b in same) > 0.8
    unrelated = [b for b in align_sentences(TEXT, OTHER, TEXT) if b.src and b.tgt]
    assert all(b.score < 0.3 for b in unrelated)


def test_empty_inputs_are_all_unaligned() -> None:
    assert align_sentences([], [], []) == []
    assert pairs(align_sentences(TEXT[:2], [], TEXT[:2])) == [((0,), ()), ((1,), ())]
    assert pairs(align_sentences([], TEXT[:1], [])) == [((), (0,))]
    assert all(b.score == 1.0 for b in align_sentences(TEXT[:2], [], TEXT[:2]))


def test_empty_lines_do_not_crash() -> None:
    src = ["", TEXT[0], "", TEXT[1]]
    beads = align_sentences(src, [TEXT[0], "", TEXT[1]], src)
    check_cover(beads, 4, 3)
    assert ((1,), (0,)) in pairs(beads) and ((3,), (2,)) in pairs(beads)


def test_translation_with_wrong_line_count_is_an_error() -> None:
    with pytest.raises(AlignError, match="one per sentence"):
        align_sentences(TEXT, TEXT, TEXT[:-1])
    with pytest.raises(AlignError, match="target translation"):
        align_sentences(TEXT, TEXT, TEXT, tgt_mt=TEXT[:3])


def test_deterministic() -> None:
    tgt = TEXT[::-1][:4] + TEXT
    assert align_sentences(TEXT, tgt, TEXT) == align_sentences(TEXT, tgt, TEXT)


def test_max_side_is_respected() -> None:
    tgt = [" ".join(TEXT[:4])] + TEXT[4:]
    beads = align_sentences(TEXT, tgt, TEXT, config=AlignConfig(max_side=2))
    assert max(len(b.src) for b in beads) <= 2
    check_cover(beads, len(TEXT), len(tgt))


def test_long_document_uses_the_coarse_band_and_stays_correct() -> None:
    # Force the coarse-to-fine search on a small document and check it still finds the diagonal.
    src = [f"{s} (part {k})" for k in range(30) for s in TEXT]
    cfg = AlignConfig(full_search_cells=1000, coarse_blocks=20)
    beads = align_sentences(src, src, src, config=cfg)
    assert pairs(beads) == [((i,), (i,)) for i in range(len(src))]


def test_coarse_band_follows_a_large_deletion() -> None:
    # 300 distinct sentences; the target lacks a block of 60 in the middle, so the path leaves the
    # diagonal by 60 sentences: the coarse-to-fine search must still find it.
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november".split()
    src = [f"{words[i % 14]} {words[(i // 14) % 14]} {words[(i * 7) % 14]} number {i} item {i * 37 % 1000}"
           for i in range(300)]
    tgt = src[:120] + src[180:]
    cfg = AlignConfig(full_search_cells=1000, coarse_blocks=30)
    got = pairs(align_sentences(src, tgt, src, config=cfg))
    assert [p for p in got if p[0] and p[1]] == [((i,), (i,)) for i in range(120)] + \
        [((i,), (i - 60,)) for i in range(180, 300)]
    assert [p for p in got if not p[1]] == [((i,), ()) for i in range(120, 180)]


def test_files_roundtrip(tmp_path: Path) -> None:
    f = tmp_path / "s.txt"
    f.write_bytes("ça va \nsecond\n\nlast".encode())
    assert read_sentence_file(f) == ["ça va", "second", "", "last"]
    (tmp_path / "bin").write_bytes(b"a\x00b")
    with pytest.raises(AlignError, match="binary"):
        read_sentence_file(tmp_path / "bin")
    (tmp_path / "latin").write_bytes("é\n".encode("latin-1"))
    with pytest.raises(AlignError, match="not UTF-8"):
        read_sentence_file(tmp_path / "latin")
    beads = [Bead((0, 1), (0,), 0.91234), Bead((), (1,), 0.1)]
    assert format_alignment(beads) == "[0, 1]:[0]:0.9123\n[]:[1]:0.1000\n"
    out = tmp_path / "a.txt"
    write_alignment(beads, out)
    assert out.read_text() == format_alignment(beads)


TEXTBERG = Path("/work/shared/bench/textberg/dev/doc00")


def _cli(args: list[str]):
    from typer.testing import CliRunner

    from align.cli import app

    return CliRunner().invoke(app, args)


def test_cli_sentences_and_eval_on_small_files(tmp_path: Path) -> None:
    src, mt, tgt = tmp_path / "src.txt", tmp_path / "mt.txt", tmp_path / "tgt.txt"
    src.write_text("\n".join(TEXT) + "\n", encoding="utf-8")
    mt.write_text("\n".join(TEXT) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(TEXT[:5] + ["An extra line nobody translated at all."] + TEXT[5:]) + "\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    r = _cli(["sentences", "--src", str(src), "--tgt", str(tgt), "--src-mt", str(mt), "-o", str(out)])
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    assert lines[5].startswith("[]:[5]:") and lines[6].startswith("[5]:[6]:")
    gold = tmp_path / "gold.txt"
    gold.write_text("".join(f"[{i}]:[{i + (i >= 5)}]\n" for i in range(10)) + "[]:[5]\n", encoding="utf-8")
    r = _cli(["eval-alignment", "--gold", str(gold), "--pred", str(out), "--src", str(src), "--tgt", str(tgt)])
    assert r.exit_code == 0, r.output
    assert "strict    1.0000  1.0000  1.0000" in r.output


def test_cli_reordered_passage_on_and_off(tmp_path: Path) -> None:
    src, tgt = tmp_path / "src.txt", tmp_path / "tgt.txt"
    src.write_text("\n".join(TEXT[:3] + OTHER + TEXT[3:6]) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(TEXT[:3] + OTHER[::-1] + TEXT[3:6]) + "\n", encoding="utf-8")
    base = ["sentences", "--src", str(src), "--tgt", str(tgt), "--src-mt", str(src)]
    r = _cli(base)
    assert r.exit_code == 0, r.output
    assert "[3, 4, 5, 6, 7, 8, 9, 10, 11, 12]:[3, 4, 5, 6, 7, 8, 9, 10, 11, 12]:0.0" in r.output
    r = _cli(base + ["--no-reordered"])
    assert r.exit_code == 0, r.output
    assert "[3, 4, 5, 6, 7" not in r.output and "[0]:[0]:" in r.output


def test_cli_translation_line_count_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    from align.cli import main  # noqa: F401  (main turns AlignError into "error: ..." and exit code 1)

    src, mt = tmp_path / "src.txt", tmp_path / "mt.txt"
    src.write_text("a\nb\n", encoding="utf-8")
    mt.write_text("a\n", encoding="utf-8")
    r = _cli(["sentences", "--src", str(src), "--tgt", str(src), "--src-mt", str(mt)])
    assert isinstance(r.exception, AlignError) and "mt.txt: 1 lines" in str(r.exception)


def test_source_weight_zero_still_aligns_by_the_translation() -> None:
    # languages in different scripts: the source view has nothing to match and is switched off
    src = [t.upper()[::-1] for t in TEXT]   # no n-gram in common with the target
    beads = align_sentences(src, TEXT, TEXT, config=AlignConfig(source_weight=0.0))
    assert pairs(beads) == [((i,), (i,)) for i in range(len(TEXT))]


@pytest.mark.skipif(not TEXTBERG.exists(), reason="shared Text+Berg benchmark not available")
def test_cli_on_textberg_dev_beats_bleualign(tmp_path: Path) -> None:
    out = tmp_path / "tb.txt"
    r = _cli(["sentences", "--src", str(TEXTBERG / "source.de"), "--tgt", str(TEXTBERG / "target.fr"),
              "--src-mt", str(TEXTBERG / "mt.google.fr"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    from align.goldeval import read_alignment, score_alignments

    s = score_alignments([read_alignment(TEXTBERG / "gold.txt")], [read_alignment(out)])
    assert s.strict.f1 > 0.80 and s.lax.f1 > 0.979  # Bleualign on the same file: 0.780 / 0.979


@pytest.mark.skipif(not TEXTBERG.exists(), reason="shared Text+Berg benchmark not available")
def test_lower_case_fragment_joins_its_neighbour() -> None:
    # Text+Berg target 366 "peine perdue ." ends the sentence of 364-365 (split at a ";"); it adds
    # almost no similarity, but it starts in lower case, so it joins (as in the gold); capitalised, it
    # would be an ordinary unaligned sentence and stay alone.
    src, tgt, mt = (read_sentence_file(TEXTBERG / f) for f in ("source.de", "target.fr", "mt.google.fr"))
    assert ((315,), (364, 365, 366)) in pairs(align_sentences(src, tgt, mt))
    tgt[366] = tgt[366].capitalize()
    assert ((), (366,)) in pairs(align_sentences(src, tgt, mt))


EUROPARL = Path("/work/shared/bench/fren-europarl/dev/doc00")


@pytest.mark.skipif(not EUROPARL.exists(), reason="shared Europarl benchmark not available")
def test_boilerplate_line_stays_unaligned() -> None:
    # Europarl dev target 21 is the inserted web line "Comment on this article", before the translation
    # of source 21: it shares a few n-grams with it, but a line without final punctuation only joins a
    # bead whose similarity it raises, so it stays unaligned (as in the gold).
    src, tgt, mt = apertium_doc(EUROPARL)
    got = pairs(align_sentences(src, tgt, mt))
    assert ((), (21,)) in got and ((21,), (22,)) in got


BAF_CITI1 = Path("/work/shared/bench/baf/dev/citi1")


@pytest.mark.skipif(not BAF_CITI1.exists(), reason="shared BAF benchmark not available")
def test_heading_pairs_stay_on_their_own() -> None:
    # BAF citi1 opens with a title and an author name, each aligned 1-1 in the gold; as they are short
    # and share words, joining them (2-2) beats the mean of the parts, but a pair of lines without final
    # punctuation only joins when the similarity does not drop.
    src, tgt, mt = apertium_doc(BAF_CITI1)
    got = pairs(align_sentences(src, tgt, mt))
    assert ((1,), (1,)) in got and ((2,), (2,)) in got


def test_failed_empty_translation_falls_back_to_the_sentence_itself() -> None:
    # an MT service returned nothing for sentence 2; its names still match the target sentence
    tgt = TEXT[:2] + ["Le jeune pianiste lyonnais a gagné le concours international de piano de Warsaw."] + TEXT[3:]
    mt = TEXT[:2] + [""] + TEXT[3:]
    beads = align_sentences(TEXT, tgt, mt)
    assert ((2,), (2,)) in pairs(beads)
    check_cover(beads, len(TEXT), len(tgt))


def test_punctuation_only_pair_joins_the_following_bead() -> None:
    # A table of contents: dot leaders are segments of their own on both sides; "....." ↔ "....."
    # is layout, not a translation unit, so it joins the page-number bead after it (as in BAF's gold).
    src = [TEXT[0], TEXT[1], ". . . . . . . .", "12", TEXT[2], TEXT[3]]
    tgt = [TEXT[0], TEXT[1], ". . . . . .", "12", TEXT[2], TEXT[3]]
    beads = align_sentences(src, tgt, src)
    check_cover(beads, 6, 6)
    assert pairs(beads) == [((0,), (0,)), ((1,), (1,)), ((2, 3), (2, 3)), ((4,), (4,)), ((5,), (5,))]
    # ... but not when that would exceed max_side, nor at the end of the document
    assert ((2,), (2,)) in pairs(align_sentences(src, tgt, src, config=AlignConfig(max_side=1)))
    assert pairs(align_sentences(src[:3], tgt[:3], src[:3]))[-1] == ((2,), (2,))


def test_unaligned_punctuation_segments_face_to_face_are_paired() -> None:
    # dot leaders of different lengths share no n-grams worth the name, so the 1-1 pass leaves both
    # unaligned, and they join no neighbour by similarity (they have no content); side by side,
    # between two aligned beads, they are counterparts
    src = [TEXT[0], ". . . . . . . . . . . .", TEXT[1], TEXT[2]]
    tgt = [TEXT[0], ".", TEXT[1], TEXT[2]]
    for a, b in ((src, tgt), (tgt, src)):
        beads = align_sentences(a, b, a)
        check_cover(beads, 4, 4)
        assert pairs(beads) == [((i,), (i,)) for i in range(4)]
    # a punctuation line facing a sentence is not paired by position (the dot leaders go with the
    # sentence after them, see test_stray_punctuation_joins_the_bead_its_typography_points_to)
    tgt[1] = "A line of text that nobody translated."
    assert pairs(align_sentences(src, tgt, src)) == [((0,), (0,)), ((), (1,)), ((1, 2), (2,)), ((3,), (3,))]


def test_stray_punctuation_joins_the_bead_its_typography_points_to() -> None:
    # A list item whose ";" the splitter cut off: the ";" has no counterpart segment (the English
    # item keeps it), so it goes with the item before it ...
    item = "Les loisirs (activités physiques, intellectuelles, sociales)"
    src = [TEXT[0], item, ";", TEXT[1], TEXT[2]]
    tgt = [TEXT[0], "Les loisirs (activités physiques, intellectuelles, sociales);", TEXT[1], TEXT[2]]
    beads = align_sentences(src, tgt, src)
    check_cover(beads, 5, 4)
    assert pairs(beads) == [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)), ((4,), (3,))]
    # ... but not after a sentence that already ended
    src[1] = item + "."
    assert ((2,), ()) in pairs(align_sentences(src, tgt, src))
    # dot leaders of a table-of-contents line on one side only go with the page number after them;
    # an opening quote with the sentence it opens
    for stray in (". . . . . . . .", "«"):
        src = [TEXT[0], TEXT[1], stray, TEXT[2], TEXT[3]]
        tgt = [TEXT[0], TEXT[1], TEXT[2], TEXT[3]]
        for a, b, want in ((src, tgt, ((2, 3), (2,))), (tgt, src, ((2,), (2, 3)))):
            beads = align_sentences(a, b, a)
            check_cover(beads, len(a), len(b))
            assert want in pairs(beads)
    # other punctuation (a stray bullet) stays unaligned
    src[2] = "*"
    assert ((2,), ()) in pairs(align_sentences(src, tgt, src))


BAF_CITI2 = Path("/work/shared/bench/baf/dev/citi2")


@pytest.mark.skipif(not BAF_CITI2.exists(), reason="shared BAF benchmark not available")
def test_stray_punctuation_on_real_data() -> None:
    # BAF citi2: a list whose French items end in a ";" segment of its own (606-607 ↔ 611), and table-of-
    # contents leaders with no counterpart before a page number (90-91 ↔ 91), joined as in the gold
    src, tgt, mt = apertium_doc(BAF_CITI2)
    got = pairs(align_sentences(src, tgt, mt))
    assert ((606, 607), (611,)) in got and ((90, 91), (91,)) in got


EUROPARL_DOC02 = Path("/work/shared/bench/fren-europarl/dev/doc02")


@pytest.mark.skipif(not EUROPARL_DOC02.exists(), reason="shared Europarl benchmark not available")
def test_joined_bead_is_cut_where_a_cut_explains_it_as_well() -> None:
    # Europarl dev doc02: greedy joining builds [63, 64, 65]:[64, 65, 66] from three 1-1 beads, each
    # join beating its own two parts; the gold cut [63, 64]:[64] + [65]:[65, 66] explains the whole as
    # well, so the final check cuts it there.
    src, tgt, mt = apertium_doc(EUROPARL_DOC02)
    got = pairs(align_sentences(src, tgt, mt))
    assert ((63, 64), (64,)) in got and ((65,), (65, 66)) in got
    check_cover(align_sentences(src, tgt, mt), len(src), len(tgt))


@pytest.mark.skipif(not EUROPARL.exists(), reason="shared Europarl benchmark not available")
def test_deleted_sentence_is_cut_off_a_joined_bead() -> None:
    # Europarl dev doc00: source 1 has no translation (deleted); joined to [2]:[1, 2] it adds length
    # but too little similarity, so the final check leaves it unaligned (as in the gold).
    src, tgt, mt = apertium_doc(EUROPARL)
    got = pairs(align_sentences(src, tgt, mt))
    assert ((1,), ()) in got and ((2,), (1, 2)) in got


BAF_XEROX = Path("/work/shared/bench/baf/dev/xerox")


@pytest.mark.skipif(not BAF_XEROX.exists(), reason="shared BAF benchmark not available")
def test_unaligned_sentences_are_beads_of_their_own_on_a_long_document() -> None:
    # the final cut of joined beads once left two sentences in one unaligned bead ([]:[3221, 3222])
    src, tgt, mt = apertium_doc(BAF_XEROX)
    check_cover(align_sentences(src, tgt, mt), len(src), len(tgt))


@pytest.mark.skipif(not (BAF_XEROX.exists() and BAF_CITI1.exists()), reason="shared BAF benchmark not available")
def test_reordered_passages_on_real_data() -> None:
    # the reordered passages of BAF dev, each the only one of its document output as one bead: xerox's
    # glossary, sorted alphabetically in each language (gold: source 3308-3556, target 3208-3451), and
    # citi1's bibliography, sorted differently too (gold: source 592-605, target 600-610)
    def passages(folder: Path) -> list[Bead]:
        beads = align_sentences(*apertium_doc(folder))
        return [b for b in beads if max(len(b.src), len(b.tgt)) > AlignConfig().max_side]

    (glossary,) = passages(BAF_XEROX)
    assert 3308 <= glossary.src[0] < glossary.src[-1] <= 3556 and len(glossary.src) > 200
    assert 3208 <= glossary.tgt[0] < glossary.tgt[-1] <= 3451 and len(glossary.tgt) > 200
    (bibliography,) = passages(BAF_CITI1)
    assert 592 <= bibliography.src[0] < bibliography.src[-1] <= 605
    assert 600 <= bibliography.tgt[0] < bibliography.tgt[-1] <= 610


def test_sentence_cut_inside_parentheses_on_both_sides_stays_one_bead() -> None:
    # The splitter broke one sentence at "(." in both languages; each piece aligns 1-1 on its own, but
    # the second piece closes a parenthesis the first left open, so they are one translation unit.
    src = [TEXT[0], "Le fichier de vérification (.", "@cs) est enregistré dans le répertoire.", TEXT[3]]
    tgt = [TEXT[0], "The verification file (.", "@cs) is saved in the directory.", TEXT[3]]
    got = pairs(align_sentences(src, tgt, tgt))
    assert got == [((0,), (0,)), ((1, 2), (1, 2)), ((3,), (3,))]
    # a parenthesis closed on one side only is no such evidence: two 1-1 beads
    tgt[1], tgt[2] = "The verification file.", "It is saved in the directory (@cs)."
    assert pairs(align_sentences(src, tgt, tgt)) == [((i,), (i,)) for i in range(4)]


def test_sentence_cut_after_a_full_stop_on_both_sides_stays_one_bead() -> None:
    # "monitor_pg001.ext" split after the full stop in both languages: a lower-case start right after
    # a full stop is a cut inside a sentence, so the pieces are one bead
    src = [TEXT[0], "Le premier fichier s'appelle moniteur_pg001.", "ext et contient la page.", TEXT[3]]
    tgt = [TEXT[0], "The first file is called monitor_pg001.", "ext and holds the page.", TEXT[3]]
    assert pairs(align_sentences(src, tgt, tgt)) == [((0,), (0,)), ((1, 2), (1, 2)), ((3,), (3,))]
    # after a semicolon (list items) a lower-case start is no such cut
    src[1], tgt[1] = src[1][:-1] + " ;", tgt[1][:-1] + " ;"
    assert pairs(align_sentences(src, tgt, tgt)) == [((i,), (i,)) for i in range(4)]


def test_reference_cut_after_the_author_stays_one_bead() -> None:
    # author-date references split after the author's initials in both languages: "(1992) ..." opens
    # the rest of the reference, so each reference is one bead (2-2), not author + details (1-1 + 1-1)
    src = [TEXT[0], "SMITH, J.", "(1992) « Les aînés et la technologie », Montréal.",
           "JONES, K.", "(1994) « Vieillir en réseau », Ottawa.", TEXT[3]]
    tgt = [TEXT[0], "SMITH, J.", "(1992) \"Seniors and Technology\", Montreal.",
           "JONES, K.", "(1994) \"Ageing Online\", Ottawa.", TEXT[3]]
    got = pairs(align_sentences(src, tgt, tgt))
    assert got == [((0,), (0,)), ((1, 2), (1, 2)), ((3, 4), (3, 4)), ((5,), (5,))]


@pytest.mark.skipif(not BAF_XEROX.exists(), reason="shared BAF benchmark not available")
def test_pieces_of_a_sentence_split_on_both_sides_are_joined_on_real_data() -> None:
    # BAF xerox 2385-2386 "Les fichiers (." + "@cs) de données ..." ↔ 2345-2346 "Verification data (." +
    # "@cs) files ...": one sentence split by the segmenter on both sides, one bead in the gold
    src, tgt, mt = apertium_doc(BAF_XEROX)
    got = pairs(align_sentences(src, tgt, mt))
    assert ((2385, 2386), (2345, 2346)) in got
    # 1740-1741 "moniteur_pg001." + "ext" ↔ 1709-1710 "monitor_pg001." + "ext": split after a full stop
    assert ((1740, 1741), (1709, 1710)) in got


def test_join_margin_shrinks_for_a_weakly_matching_translation() -> None:
    from align.sentalign import _scaled_margins

    cfg = AlignConfig()
    assert _scaled_margins(cfg, [0.3, 0.25, 0.4]) is cfg            # a good MT keeps the margin
    assert _scaled_margins(cfg, []) is cfg                          # nothing aligned: nothing to judge by
    weak = _scaled_margins(cfg, [0.04, 0.05, 0.06])                 # median a quarter of the reference
    assert weak.merge_margin == pytest.approx(cfg.merge_margin * 0.5)
    assert weak.merge_gain == cfg.merge_gain                        # only the margin of two aligned beads
