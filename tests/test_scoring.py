from __future__ import annotations

import pytest

from align.scoring import (
    BOILERPLATE,
    DUPLICATE,
    HEADING,
    IDENTICAL,
    LENGTH_RATIO,
    LOW_SCORE,
    NOT_ENGLISH,
    NUMBERS,
    TOO_LONG,
    TOO_SHORT,
    Candidate,
    ScoringConfig,
    bleu,
    chrf,
    combined_score,
    default_filters,
    detach_headings,
    find_boilerplate,
    numbers_in,
    score_candidate,
    select_records,
)

CONFIG = ScoringConfig()


def candidate(fr: str, en: str, mt: str | None = None, *, bead_score: float = 0.9, fr_ids=(0,), en_ids=(0,),
              fr_doc: str = "fr1", en_doc: str = "en1") -> Candidate:
    return Candidate(fr_doc, en_doc, tuple(fr_ids), tuple(en_ids), (fr,), (en,), (mt if mt is not None else en,),
                     bead_score, 0.8)


def score(c: Candidate, boilerplate: frozenset[str] = frozenset()):
    return score_candidate(c, default_filters(CONFIG, boilerplate=boilerplate), CONFIG)


GOOD = candidate(
    "Le président a chargé son équipe de veiller à ce que l'Ukraine puisse utiliser les armes américaines.",
    "The president has tasked his team with ensuring that Ukraine can use American weapons.",
    "The president has charged his team to ensure that Ukraine can use the American weapons.",
)


def test_good_pair_has_no_flags_and_a_high_score() -> None:
    record = score(GOOD)
    assert record.flags == ()
    assert 40 < record.chrf <= 100 and 10 < record.bleu <= 100
    assert record.score >= CONFIG.min_score
    assert record.bead == "1-1"
    assert record.id == "fr1/en1/0-0"
    assert record.length_ratio == pytest.approx(len(GOOD.en) / len(GOOD.fr), abs=1e-4)


def test_metrics_match_sacrebleu_scale() -> None:
    assert chrf("the same words", "the same words") == pytest.approx(100.0)
    assert bleu("the same words here", "the same words here") == pytest.approx(100.0)
    assert chrf("abc", "xyz") < 5


def test_unrelated_translation_scores_low() -> None:
    unrelated = candidate(GOOD.fr, "The weather in Paris will be sunny and warm all weekend long.", GOOD.mt)
    assert score(unrelated).score < score(GOOD).score
    assert score(unrelated).chrf < 30


@pytest.mark.parametrize(
    ("fr", "en", "flag"),
    [
        ("Joe Biden et Antony Blinken à Prague", "Joe Biden et Antony Blinken à Prague", IDENTICAL),
        ("Les ministres préparent le sommet de l'Otan à Washington.",
         "Die Minister bereiten den Nato-Gipfel in Washington vor und reden lange.", NOT_ENGLISH),
        ("Quitter la version mobile du site", "Leave the mobile version of the site", BOILERPLATE),
        ("Les missiles peuvent atteindre 300 km de distance.", "The missiles can reach 500 km away.", NUMBERS),
        ("Kharkiv", "Kharkiv is in eastern Ukraine", TOO_SHORT),
        ("Un mot de plus " * 40, "One more word " * 40, TOO_LONG),
        ("Les alliés semblent plus unis.",
         "The allies, on the other hand, seem more united on a passing of the torch between the two.", LENGTH_RATIO),
    ],
)
def test_each_filter_flags_its_problem(fr: str, en: str, flag: str) -> None:
    record = score(candidate(fr, en))
    assert flag in record.flags
    assert record.score < combined_score(record.bead_score, record.chrf, (), CONFIG)


def test_headings_joined_to_or_paired_with_sentences_are_flagged() -> None:
    merged = Candidate("fr1", "en1", (8, 9), (5,),
                       ("Les ATACMS sont des missiles à longue portée.", "Offensive russe sur Kharkiv"),
                       ("ATACMS are long-range missiles.",), ("The ATACMS are missiles to long range.", "Offensive"),
                       0.9, 0.8)
    assert HEADING in score(merged).flags
    headline_pair = candidate("Offensive russe sur Kharkiv", "Russian offensive on Kharkiv")
    assert HEADING not in score(headline_pair).flags
    two_sentences = Candidate("fr1", "en1", (1, 2), (1,), ("Il a parlé.", "Il est parti."),
                              ("He spoke and he left.",), ("He spoke.", "He left."), 0.9, 0.8)
    assert HEADING not in score(two_sentences).flags
    heading_vs_sentence = candidate("« Contre-attaque dans la région »",
                                    "American official, according to Agence France-Presse.")
    assert HEADING in score(heading_vs_sentence).flags


def test_headings_at_the_ends_of_a_bead_are_detached() -> None:
    merged = Candidate("fr1", "en1", (7, 8, 9), (5, 6),
                       ("« Contre-attaque »", "Les ATACMS sont des missiles à longue portée.", "Offensive russe"),
                       ("ATACMS are long-range missiles.", "NATO favors strikes in Russia"),
                       ("« Counterattack »", "The ATACMS are missiles to long range.", "Russian offensive"), 0.9, 0.8)
    trimmed = detach_headings(merged, CONFIG.heading_max_words)
    assert (trimmed.fr_sent_ids, trimmed.en_sent_ids) == ((8,), (5,))
    assert trimmed.mt_sents == ("The ATACMS are missiles to long range.",)
    assert HEADING not in score(trimmed).flags and score(trimmed).bead == "1-1"
    titles = Candidate("fr1", "en1", (0, 1), (0,), ("Les nouvelles du jour", "Guerre en Ukraine"),
                       ("War in Ukraine",), ("The news of the day", "War in Ukraine"), 0.9, 0.8)
    assert detach_headings(titles, CONFIG.heading_max_words) == titles  # nothing but headings: left alone
    assert detach_headings(GOOD, CONFIG.heading_max_words) == GOOD


def test_numbers_agree_across_separators() -> None:
    assert numbers_in("100 000 euros et 2,5 %") == numbers_in("100,000 euros and 2.5%")
    assert numbers_in("le 30 mai 2024") == numbers_in("on May 30, 2024")
    assert numbers_in("25 soldats") != numbers_in("seven soldiers")
    assert numbers_in("le 6 octobre 1916, puis en décembre de la même année") == numbers_in(
        "on 6 October 1916, then in December 1916")


def test_boilerplate_is_short_lines_repeated_across_documents() -> None:
    docs = {
        "a": ["Les nouvelles les plus importantes", "Une longue phrase de dépêche reprise par deux médias différents."],
        "b": ["Les nouvelles les plus importantes", "Une longue phrase de dépêche reprise par deux médias différents."],
        "c": ["Autre chose"],
    }
    found = find_boilerplate(docs, min_docs=2, max_words=6)
    assert found == frozenset({"les nouvelles les plus importantes"})
    record = score(candidate("Les nouvelles les plus importantes", "The most important news of the day"), found)
    assert BOILERPLATE in record.flags


def test_combined_score_is_bounded_and_penalised_by_flags() -> None:
    assert combined_score(1.0, 100.0, (), CONFIG) == 1.0
    assert combined_score(0.0, 0.0, (), CONFIG) == 0.0
    assert combined_score(1.0, 100.0, (IDENTICAL,), CONFIG) == pytest.approx(CONFIG.penalties[IDENTICAL])
    assert combined_score(0.8, 40.0, (), CONFIG) == pytest.approx((0.8 * 0.5) ** 0.5)
    assert combined_score(1.0, CONFIG.chrf_chance, (), CONFIG) == 0.0  # chance-level overlap is no evidence
    assert combined_score(0.95, 25.0, (), CONFIG) < CONFIG.min_score  # confident bead, unrelated translation


def test_select_keeps_duplicates_once_and_counts_drops_per_reason() -> None:
    good = score(GOOD)
    same_text_elsewhere = score(candidate(GOOD.fr, GOOD.en, GOOD.mt, fr_ids=(5,), en_ids=(7,), bead_score=0.7))
    boiler = score(candidate("Quitter la version mobile du site", "Leave the mobile version of the site"))
    weak = score(candidate("Les ministres préparent le sommet.", "Several countries fear the return of Trump.",
                           "The ministers prepare the summit.", bead_score=0.2, fr_ids=(9,), en_ids=(9,)))
    selection = select_records([weak, boiler, same_text_elsewhere, good], CONFIG.min_score)
    assert [r.id for r in selection.kept] == [good.id]  # the better-scored of the two duplicates
    weak_copy = score(candidate(GOOD.fr, GOOD.en, "Something else entirely.", fr_ids=(6,), en_ids=(8,)))
    assert weak_copy.score < CONFIG.min_score
    assert select_records([weak_copy, good], CONFIG.min_score).dropped == {DUPLICATE: 1}
    assert selection.dropped == {BOILERPLATE: 1, DUPLICATE: 1, LOW_SCORE: 1}
    # Order of the input does not matter.
    again = select_records([good, same_text_elsewhere, boiler, weak], CONFIG.min_score)
    assert again == selection


def test_min_score_zero_keeps_flagged_pairs() -> None:
    boiler = score(candidate("Quitter la version mobile du site", "Leave the mobile version of the site"))
    assert select_records([boiler], 0.0).kept == [boiler]
