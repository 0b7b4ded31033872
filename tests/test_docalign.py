"""Document alignment on small hand-made news documents (real text; the "MT" of the French
documents is a plain English rendering, as a translation engine would give)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from align.docalign import (
    DocAlignConfig,
    DocPair,
    align_documents,
    coverage,
    relative_margins,
    similarity_matrix,
    write_pairs,
)
from align.errors import AlignError
from align.translate import apertium

# French documents, one sentence per item.
BAKERY_FR = [
    "Le concours de la meilleure baguette de Paris a été remporté mardi par un boulanger du onzième arrondissement.",
    "Le jury a goûté cent soixante-dix baguettes avant de rendre son verdict.",
    "Le gagnant recevra une prime de quatre mille euros.",
    "Il fournira aussi le palais de l'Élysée en pain pendant un an.",
    "Le boulanger a dit qu'il se levait chaque matin à trois heures.",
]
BAKERY_MT = [
    "The contest of the best baguette of Paris was won Tuesday by a baker of the eleventh arrondissement.",
    "The jury tasted one hundred seventy baguettes before giving its verdict.",
    "The winner will receive a bonus of four thousand euros.",
    "He will also supply the Elysée palace with bread for one year.",
    "The baker said that he got up every morning at three o'clock.",
]
BAKERY_EN = [
    "A baker from the eleventh arrondissement won the contest for the best baguette in Paris on Tuesday.",
    "The jury tasted one hundred and seventy baguettes before reaching its verdict.",
    "The winner will receive a prize of four thousand euros.",
    "He will also supply bread to the Elysée palace for a year.",
    "The baker said he gets up at three o'clock every morning.",
]

VOLCANO_FR = [
    "Un volcan est entré en éruption dimanche soir sur la péninsule de Reykjanes, en Islande.",
    "Des coulées de lave se dirigent vers la ville de Grindavik, évacuée depuis novembre.",
    "Les autorités ont fermé le lagon bleu, un site touristique très fréquenté.",
    "Le trafic aérien n'est pas perturbé, selon l'office météorologique islandais.",
]
VOLCANO_MT = [
    "A volcano erupted Sunday evening on the Reykjanes peninsula, in Iceland.",
    "Lava flows are heading towards the town of Grindavik, evacuated since November.",
    "The authorities closed the blue lagoon, a very popular tourist site.",
    "Air traffic is not disrupted, according to the Icelandic meteorological office.",
]
VOLCANO_EN = [
    "A volcano erupted on Sunday evening on Iceland's Reykjanes peninsula.",
    "Lava flows are moving towards the town of Grindavik, which has been evacuated since November.",
    "The authorities closed the Blue Lagoon, a very popular tourist site.",
    "Air traffic has not been disrupted, according to the Icelandic Meteorological Office.",
]

# A French article with no English counterpart.
CHESS_FR = [
    "Le tournoi d'échecs de Stavanger s'est achevé vendredi par la victoire du champion norvégien.",
    "Il a battu son adversaire indien lors d'une partie rapide de départage.",
    "La prochaine édition aura lieu au printemps à Oslo.",
]
CHESS_MT = [
    "The chess tournament of Stavanger ended Friday with the victory of the Norwegian champion.",
    "He beat his Indian opponent during a rapid tie-break game.",
    "The next edition will take place in spring in Oslo.",
]
# An English article with no French counterpart.
FROG_EN = [
    "Biologists have described a new species of tree frog in the cloud forests of northern Peru.",
    "The tiny amphibian, barely two centimetres long, sings only after heavy rain.",
    "Its habitat is threatened by coffee plantations, the researchers warn.",
]

# One agency story, two English outlets (the second reworded, with an extra sentence).
STRIKE_FR = [
    "Les ouvriers de l'usine automobile de Sochaux sont en grève depuis lundi.",
    "Ils réclament une hausse des salaires de cinq pour cent.",
    "La direction a proposé une prime exceptionnelle de cinq cents euros, jugée insuffisante par les syndicats.",
    "La production des modèles électriques est à l'arrêt.",
]
STRIKE_MT = [
    "The workers of the car factory of Sochaux are on strike since Monday.",
    "They demand a rise of wages of five percent.",
    "The management proposed an exceptional bonus of five hundred euros, judged insufficient by the unions.",
    "The production of the electric models is at a standstill.",
]
STRIKE_EN_1 = [
    "Workers at the Sochaux car factory have been on strike since Monday.",
    "They are demanding a five percent wage rise.",
    "Management offered an exceptional bonus of five hundred euros, which the unions judged insufficient.",
    "Production of the electric models has stopped.",
]
STRIKE_EN_2 = [
    "Workers at the car plant in Sochaux, eastern France, have been on strike since Monday.",
    "They demand a wage rise of five percent.",
    "The management proposed a one-off bonus of five hundred euros, which unions called insufficient.",
    "Production of the electric models is at a standstill.",
    "The plant employs about seven thousand people.",
]


def _pairs(result: list[DocPair]) -> set[tuple[str, str]]:
    return {(p.fr_id, p.en_id) for p in result}


def test_translations_found_and_distractors_left_unmatched() -> None:
    fr = {"bakery": BAKERY_FR, "volcano": VOLCANO_FR, "chess": CHESS_FR}
    mt = {"bakery": BAKERY_MT, "volcano": VOLCANO_MT, "chess": CHESS_MT}
    en = {"a-bakery": BAKERY_EN, "b-volcano": VOLCANO_EN, "c-frog": FROG_EN}
    result = align_documents(fr, mt, en)
    assert _pairs(result) == {("bakery", "a-bakery"), ("volcano", "b-volcano")}
    assert [(p.fr_id, p.en_id) for p in result] == sorted(_pairs(result))
    for pair in result:
        assert DocAlignConfig().min_score <= pair.score <= 1.0
        assert pair.coverage > 0.8  # translations: nearly every sentence in a confident bead


def test_one_french_article_matches_two_english_versions() -> None:
    fr = {"bakery": BAKERY_FR, "strike": STRIKE_FR}
    mt = {"bakery": BAKERY_MT, "strike": STRIKE_MT}
    en = {"bakery": BAKERY_EN, "strike-1": STRIKE_EN_1, "strike-2": STRIKE_EN_2}
    result = align_documents(fr, mt, en)
    assert _pairs(result) == {("bakery", "bakery"), ("strike", "strike-1"), ("strike", "strike-2")}
    strike = [p for p in result if p.fr_id == "strike"]
    # The two versions are each other's rival, so the margin is small: coverage carries the pairs.
    assert all(p.margin < DocAlignConfig().min_score < p.coverage for p in strike)


def test_same_topic_without_parallel_sentences_is_not_a_match() -> None:
    # Reworded beyond sentence alignment and competing with a real translation: no pair.
    fr = {"strike": STRIKE_FR, "volcano": VOLCANO_FR}
    mt = {"strike": STRIKE_MT, "volcano": VOLCANO_MT}
    summary = ["Car workers in Sochaux strike for higher wages; electric production stopped, unions reject bonus."]
    en = {"strike": STRIKE_EN_1, "summary": summary, "volcano": VOLCANO_EN}
    assert _pairs(align_documents(fr, mt, en)) == {("strike", "strike"), ("volcano", "volcano")}


def test_empty_inputs_give_no_pairs() -> None:
    assert align_documents({}, {}, {}) == []
    assert align_documents({"bakery": BAKERY_FR}, {"bakery": BAKERY_MT}, {}) == []
    assert align_documents({}, {}, {"bakery": BAKERY_EN}) == []
    assert align_documents({"empty": []}, {"empty": []}, {"bakery": BAKERY_EN, "void": []}) == []
    # A document made only of stop words has no TF-IDF vector at all.
    assert align_documents({"x": ["Il est là."]}, {"x": ["He is there."]}, {"y": ["It is here."]}) == []


def test_mismatched_translations_are_rejected() -> None:
    with pytest.raises(ValueError, match="same document ids"):
        align_documents({"a": BAKERY_FR}, {"b": BAKERY_MT}, {"a": BAKERY_EN})
    with pytest.raises(ValueError, match="5 sentences but 4 translations"):
        align_documents({"a": BAKERY_FR}, {"a": BAKERY_MT[:4]}, {"a": BAKERY_EN})


def test_relative_margin_is_the_ratio_over_the_best_rival_or_floor() -> None:
    similarity = np.array([[0.30, 0.10], [0.06, 0.20]])
    margins = relative_margins(similarity, floor=0.05)
    assert margins[0, 0] == pytest.approx(1 - 0.10 / 0.30)
    assert margins[1, 1] == pytest.approx(1 - 0.10 / 0.20)  # rival: row 0's 0.10 in column 1
    assert margins[0, 1] == 0.0 and margins[1, 0] == 0.0  # beaten by a rival: clipped at 0
    # Alone on both sides, a pair only has the floor as rival.
    assert relative_margins(np.array([[0.10]]), floor=0.05)[0, 0] == pytest.approx(0.5)
    assert relative_margins(np.array([[0.04]]), floor=0.05)[0, 0] == 0.0


def test_similarity_ignores_stop_words_and_accents() -> None:
    sim = similarity_matrix(["The Elysée palace and the baker."], ["the ELYSEE Palace", "and the of a"])
    assert sim[0, 0] > 0.5
    assert sim[0, 1] == 0.0


def test_coverage_counts_sentences_in_beads_whose_mt_matches() -> None:
    assert coverage(BAKERY_FR, BAKERY_MT, BAKERY_EN) == 1.0
    # An extra English sentence leaves the French side fully covered.
    assert coverage(STRIKE_FR, STRIKE_MT, STRIKE_EN_2) == 1.0
    # Same length, unrelated: sentence alignment still pairs sentences up, but none is a translation.
    assert coverage(BAKERY_FR[:3], BAKERY_MT[:3], FROG_EN) == 0.0
    assert coverage([], [], BAKERY_EN) == 0.0


def test_pairs_are_written_sorted_with_four_decimals(tmp_path: Path) -> None:
    pairs = [DocPair("b", "x", 0.5), DocPair("a", "y", 1.0), DocPair("a", "x", 1 / 3)]
    target = tmp_path / "pairs.tsv"
    write_pairs(pairs, target)
    assert target.read_text(encoding="utf-8") == "a\tx\t0.3333\na\ty\t1.0000\nb\tx\t0.5000\n"
    with pytest.raises(AlignError, match="cannot write the document pairs"):
        write_pairs(pairs, tmp_path / "missing-folder" / "pairs.tsv")


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="min_score"):
        DocAlignConfig(min_score=1.5)
    with pytest.raises(ValueError, match="candidates"):
        DocAlignConfig(candidates=0)
    with pytest.raises(ValueError, match="bead_chrf"):
        DocAlignConfig(bead_chrf=140)


# --- CLI, with the real Apertium engine -------------------------------------------------------

needs_apertium = pytest.mark.skipif(
    shutil.which("apertium") is None or not apertium.is_available("fr", "en"),
    reason="Apertium fr→en is not installed (apt-get install apertium-fr-es apertium-eng-spa)",
)


def _write_folder(folder: Path, docs: dict[str, list[str]]) -> Path:
    folder.mkdir()
    for name, sentences in docs.items():
        (folder / f"{name}.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")
    return folder


@pytest.mark.apertium
@needs_apertium
def test_cli_documents_writes_sorted_pairs_atomically(tmp_path: Path, align_exe: Path) -> None:
    fr = _write_folder(tmp_path / "fr", {"bakery": BAKERY_FR, "strike": STRIKE_FR, "chess": CHESS_FR})
    en = _write_folder(
        tmp_path / "en", {"bakery": BAKERY_EN, "strike-1": STRIKE_EN_1, "strike-2": STRIKE_EN_2, "frog": FROG_EN}
    )
    out = tmp_path / "out" / "pairs.tsv"
    out.parent.mkdir()
    env = {**os.environ, "ALIGN_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run(
        [align_exe, "documents", fr, en, "--engine", "apertium", "-o", out],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert run.returncode == 0, run.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    expected = [["bakery", "bakery"], ["strike", "strike-1"], ["strike", "strike-2"]]
    assert [line.split("\t")[:2] for line in lines] == expected
    for line in lines:
        assert re.fullmatch(r"[^\t]+\t[^\t]+\t(0\.\d{4}|1\.0000)", line)
    assert [p.name for p in out.parent.iterdir()] == ["pairs.tsv"]  # no temporary file left behind
    assert (tmp_path / "cache" / "translations.sqlite3").exists()  # the French side went through the cache

    # Without -o: a table on stdout, the same pairs.
    run = subprocess.run(
        [align_exe, "documents", fr, en, "--engine", "apertium"], capture_output=True, text=True, timeout=300, env=env
    )
    assert run.returncode == 0, run.stderr
    assert "strike-2" in run.stdout and "frog" not in run.stdout and "chess" not in run.stdout
    assert "3 pairs; unmatched: 1 French, 1 English" in run.stderr


def test_cli_documents_empty_folder_is_a_one_line_error(tmp_path: Path, align_exe: Path) -> None:
    fr = _write_folder(tmp_path / "fr", {"bakery": BAKERY_FR})
    (tmp_path / "en").mkdir()
    run = subprocess.run(
        [align_exe, "documents", fr, tmp_path / "en", "-o", tmp_path / "pairs.tsv"],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 1
    en = tmp_path / "en"
    reason = f"{en}: folder has no articles (.txt, .jsonl, .html, .htm files)"
    assert run.stderr.strip() == f"error: {en}: no English documents found ({reason})"
    assert not (tmp_path / "pairs.tsv").exists()


@pytest.mark.apertium
@needs_apertium
def test_cli_documents_on_the_demo_corpus(tmp_path: Path, align_exe: Path, corpus_dir: Path) -> None:
    # French 002 is the source of both English articles; 003 and 004 are other stories on the same event.
    out = tmp_path / "pairs.tsv"
    run = subprocess.run(
        [align_exe, "documents", corpus_dir, corpus_dir, "--engine", "apertium", "-o", out],
        capture_output=True, text=True, timeout=300, env={**os.environ, "ALIGN_CACHE_DIR": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr
    assert [line.split("\t")[:2] for line in out.read_text(encoding="utf-8").splitlines()] == [
        ["002_8a8f612192489650", "000_102a33f85755df4d"],
        ["002_8a8f612192489650", "001_98e871194931fdb2"],
    ]
