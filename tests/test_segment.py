"""Sentence segmentation: the seeds split as a careful reader would, plus the general rules."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from align.corpus import Document, load_corpus
from align.errors import AlignError
from align.segment import (
    SegmentedDocument,
    format_sentences,
    segment_document,
    split_sentences,
    write_segmented,
)

SEED_000 = "000_102a33f85755df4d"
SEED_001 = "001_98e871194931fdb2"
SEED_002 = "002_8a8f612192489650"
SEED_003 = "003_c8f4650f96df5b00"
SEED_004 = "004_58232c4dcf10481f"

# Seed 002: the rubric line, the headline twice (the second with a double space in the file),
# and "a-t-il déclaré. a-t-il déclaré à la presse ..." split after the first "déclaré.".
EXPECTED_002 = [
    (0, "Les nouvelles les plus importantes de la journée"),
    (1, "Guerre en Ukraine. Joe Biden autorise Kiev à frapper des cibles en Russie pour défendre Kharkiv"),
    (2, "Guerre en Ukraine. Joe Biden autorise Kiev à frapper des cibles en Russie pour défendre Kharkiv"),
    (3, "Joe Biden, qui s’y refusait jusqu’à présent, a donné son feu vert à l’Ukraine pour frapper des cibles "
     "sur le sol russe, dans la région de Kharkiv, sous certaines conditions, a indiqué un responsable américain."),
    (4, "« Contre-attaque dans la région »"),
    (5, "« Le président a chargé son équipe de veiller à ce que l’Ukraine puisse utiliser les armes américaines "
     "pour contre-attaquer dans la région de Kharkiv, afin de riposter lorsque les forces russes les attaquent "
     "ou se préparent à les attaquer », a indiqué cette source."),
    (6, "Ce responsable, qui a requis l’anonymat, a toutefois ajouté que les États-Unis continuaient de "
     "s’opposer aux frappes ukrainiennes en profondeur sur le territoire russe."),
    (7, "« Notre position sur l’interdiction de l’utilisation d’ATACMS ou de frappes profondes à l’intérieur "
     "de la Russie n’a pas changé », a-t-il déclaré."),
    (8, "Les ATACMS sont des missiles à longue portée fournis par les Américains à l’Ukraine, capables "
     "d’atteindre une distance allant jusqu’à 300 km."),
    (9, "Offensive russe sur Kharkiv"),
    (10, "Kharkiv, dans l’est de l’Ukraine, est la cible quasi quotidienne de bombardements provenant "
     "principalement du territoire russe."),
    (10, "La Russie a lancé une offensive dans la région début mai et gagne du terrain face à une armée "
     "ukrainienne en difficulté."),
    (11, "Le chef de la diplomatie américaine Antony Blinken a laissé entendre hier que les États-Unis avaient "
     "changé de position concernant les frappes ukrainiennes sur le sol russe."),
    (12, "« À mesure que les conditions ont changé, que le champ de bataille a changé, que la Russie a changé "
     "la façon dont elle mène son agression, nous nous sommes adaptés et ajustés et je suis convaincu que nous "
     "continuerons à le faire », a-t-il déclaré."),
    (12, "a-t-il déclaré à la presse lors d’une visite en Moldavie, pays frontalier de l’Ukraine."),
    (13, "L’Otan pousse les capitales occidentales à lever les restrictions qui « lient les mains dans le dos "
     "des Ukrainiens », selon les mots de son secrétaire général, Jens Stoltenberg, une position à laquelle "
     "ont adhéré plusieurs pays, dont la France."),
    (13, "Le Kremlin a de son côté critiqué l’Alliance atlantique pour avoir lancé « un nouveau cycle "
     "d’escalade »."),
    (14, "Quitter la version mobile"),
]

# Seed 000: "he said. he told the press ..." split; the garbled quotation "... attack it. ‘attack,”
# the source said." stays whole (a careful reader does not cut inside the quotation).
EXPECTED_000 = [
    (0, "American President Joe Biden, who has so far refused to do so, has agreed to allow Ukraine to strike "
     "targets on Russian soil, in the Kharkiv oblast, under certain conditions, said Thursday, May 30."),
    (0, "American official, according to Agence France-Presse."),
    (0, "“The president has tasked his team to ensure that Ukraine can use American weapons to counterattack "
     "in the Kharkiv region, so as to retaliate when Russian forces attack it or prepare to attack it. "
     "‘attack,” the source said."),
    (1, "This official, who requested anonymity, however added that the United States continued to oppose "
     "Ukrainian strikes deep into Russian territory."),
    (1, "“Our position on prohibiting the use of ATACMS or deep strikes inside Russia has not changed,” he said."),
    (1, "ATACMS are long-range missiles supplied by the Americans to Ukraine, which can reach targets up to "
     "300 kilometers away."),
    (2, "The Kharkiv oblast, in eastern Ukraine, is the almost daily target of bombings mainly coming from "
     "Russian territory."),
    (2, "Russia launched an offensive in the region at the beginning of May and is gaining ground against "
     "the struggling Ukrainian army."),
    (3, "NATO favors strikes in Russia"),
    (4, "The head of American diplomacy, Antony Blinken, suggested on Wednesday that the United States had "
     "changed its position in terms of Ukrainian strikes on Russian soil."),
    (4, "“As conditions have changed, as the battlefield has changed, as Russia has changed the way it conducts "
     "its aggression, we have adapted and adjusted and I am confident that we will continue to do so,” he said."),
    (4, "he told the press during a visit to Moldova, a country bordering Ukraine."),
    (5, "NATO is pushing Western capitals to lift restrictions that “tie the hands behind the backs of the "
     "Ukrainians”, in the words of its Secretary General, Jens Stoltenberg, a position that several countries, "
     "including France, have joined."),
    (5, "On Thursday, May 30, in Prague, shortly before the start of a ministerial meeting of the Atlantic "
     "Alliance, he demanded that Ukraine’s allied countries let it strike Russia with the weapons they provide."),
    (5, "The Kremlin, for its part, criticized the Atlantic Alliance for launching “a new cycle of escalation”."),
]


@pytest.fixture(scope="module")
def seeds(corpus_dir: Path) -> dict[str, SegmentedDocument]:
    return {doc.id: segment_document(doc) for doc in load_corpus([corpus_dir]).documents}


def _pairs(segmented: SegmentedDocument) -> list[tuple[int, str]]:
    return [(s.paragraph, s.text) for s in segmented.sentences]


def test_seed_002_repeated_headline_and_said_said(seeds: dict[str, SegmentedDocument]) -> None:
    assert _pairs(seeds[SEED_002]) == EXPECTED_002


def test_seed_000_he_said_he_told(seeds: dict[str, SegmentedDocument]) -> None:
    assert _pairs(seeds[SEED_000]) == EXPECTED_000


def test_seed_001_headline_said_told_and_stray_word(seeds: dict[str, SegmentedDocument]) -> None:
    texts = seeds[SEED_001].texts
    assert texts[0] == "War in Ukraine | Biden authorizes Ukraine to strike targets in Russia to defend Kharkiv"
    said = texts.index(
        "“As conditions have changed, as the battlefield has changed, as Russia has changed the way it conducts "
        "its aggression, we have adapted and adjusted and I am confident that we will continue to do so,” he said."
    )
    assert texts[said + 1] == "he told the press during a visit to Moldova, a country bordering Ukraine."
    # "... an Alliance ministerial meeting. Atlantic." — the stray word stays with its sentence.
    assert (
        "Ukraine’s allied countries must let it strike Russia with the weapons they provide, Alliance Secretary "
        "General Jens Stoltenberg demanded Thursday in Prague, shortly before the start of an Alliance ministerial "
        "meeting. Atlantic."
    ) in texts
    assert "Atlantic." not in texts
    # "declared on Thursday. , Jan Lipavsky" cannot start a sentence with a comma: one sentence.
    assert any(t.endswith("declared on Thursday. , Jan Lipavsky, host of this meeting which begins Thursday "
                          "evening with a working dinner.") for t in texts)
    # Abbreviations: "Mr. Zelensky", "Mr. Stoltenberg" do not end sentences.
    assert any("recalled Mr. Zelensky on May 18" in t for t in texts)
    assert texts[-1] == "source site-59"
    assert len(texts) == 43


def test_seed_003_one_paragraph_per_line(seeds: dict[str, SegmentedDocument]) -> None:
    seg = seeds[SEED_003]
    assert len(seg.document.paragraphs) == 14
    assert _pairs(seg)[:2] == [
        (0, "Biden autorise secrètement Kiev à utiliser les armes américaines pour des frappes en profondeur "
            "contre la Russie – Politico"),
        (1, "Meguetan Infos"),
    ]
    assert _pairs(seg)[-5:] == [
        (11, "Le 28 mai, le président russe Vladimir Poutine a déclaré que lorsqu’ils parlent de frappes en Russie, "
             "les représentants des pays de l’OTAN « devraient être conscients de ce avec quoi ils jouent »."),
        (11, "Selon Poutine, la Russie suit de près ce débat."),
        (11, "Une fois que l’armée ukrainienne aura utilisé des armes à longue portée, Moscou devra à nouveau "
             "décider d’une « zone sanitaire », a déclaré Poutine."),
        (12, "………Tass"),
        (13, "Source : Tass"),
    ]
    assert [p for p, _ in _pairs(seg)].count(9) == 4


def test_seed_004_stray_word_and_teasers(seeds: dict[str, SegmentedDocument]) -> None:
    pairs = _pairs(seeds[SEED_004])
    # "... avec des armes américaines. armes." is one sentence with a stray repeated word.
    assert pairs[3] == (
        2,
        "Comme le rapporte le Wall Street Journal, faisant référence aux propos de responsables américains, Kiev "
        "s'est tournée vers Washington pour lui demander de fournir davantage d'informations sur les cibles "
        "militaires situées sur le territoire russe, ainsi que de permettre aux forces armées ukrainiennes de les "
        "frapper avec des armes américaines. armes.",
    )
    assert (6, "\"C'est notre politique, qui reste inchangée\", a-t-il souligné.") in pairs
    assert (11, "Plus comme ça ICI") in pairs  # one paragraph of two lines, joined
    assert pairs[-1] == (27, "La Verkhovna Rada d'Ukraine a voté pour le projet de loi n° 9665, qui autorise...")


def test_ids_are_stable_and_sequential(seeds: dict[str, SegmentedDocument]) -> None:
    for seg in seeds.values():
        assert [s.id for s in seg.sentences] == list(range(len(seg.sentences)))
        paragraphs = [s.paragraph for s in seg.sentences]
        assert paragraphs == sorted(paragraphs)
        assert segment_document(seg.document) == seg


def _doc(paragraphs: tuple[str, ...], lang: str = "fr", doc_id: str = "d") -> Document:
    return Document(doc_id, lang, 1.0, None, paragraphs, "mem", "0" * 64)


def test_sentence_never_spans_paragraphs() -> None:
    seg = segment_document(_doc(("Il pleut et le vent souffle fort sur la ville ce matin", "Il fait beau.")))
    assert _pairs(seg) == [
        (0, "Il pleut et le vent souffle fort sur la ville ce matin"),
        (1, "Il fait beau."),
    ]


def test_normalisation_nfc_and_spaces() -> None:
    decomposed = "Le re\u0301sultat est la\u0300\u00a0: 3\u202f000 km\u2009!  Fin\u200b\tde\u00a0l’e\u0301tape."
    assert split_sentences(decomposed, "fr") == ["Le résultat est là : 3 000 km !", "Fin de l’étape."]


def test_french_typography() -> None:
    text = (
        "Il a dit\u00a0: «\u00a0C’est fini.\u00a0» Puis il est parti. Vraiment\u202f? Oui\u202f! "
        "M. Macron et Mme Dupont ont acheté des pommes, des poires, etc. et ils sont rentrés. "
        "Il hésite… Puis il part."
    )
    assert split_sentences(text, "fr") == [
        "Il a dit : « C’est fini. »",
        "Puis il est parti.",
        "Vraiment ?",
        "Oui !",
        "M. Macron et Mme Dupont ont acheté des pommes, des poires, etc. et ils sont rentrés.",
        "Il hésite…",
        "Puis il part.",
    ]


def test_english_abbreviations_and_lowercase_rule() -> None:
    text = (
        "Mr. Smith met the minister, e.g. at the summit. He said yes. he then told reporters he would stay. "
        "Prices rose 3.5 per cent vs. last year."
    )
    assert split_sentences(text, "en") == [
        "Mr. Smith met the minister, e.g. at the summit.",
        "He said yes.",
        "he then told reporters he would stay.",
        "Prices rose 3.5 per cent vs. last year.",
    ]


def test_headline_with_rubric_prefix_is_one_segment_but_prose_is_split() -> None:
    assert split_sentences("Guerre en Ukraine. Joe Biden autorise Kiev", "fr") == [
        "Guerre en Ukraine. Joe Biden autorise Kiev"
    ]
    assert split_sentences("Guerre en Ukraine. Joe Biden autorise Kiev.", "fr") == [
        "Guerre en Ukraine.",
        "Joe Biden autorise Kiev.",
    ]


def test_paragraph_final_stray_word_stays_with_its_sentence() -> None:
    assert split_sentences("Les ministres se sont réunis à Prague jeudi. Atlantique.", "fr") == [
        "Les ministres se sont réunis à Prague jeudi. Atlantique."
    ]
    assert split_sentences("Il a refusé. Jamais. Il est parti.", "fr") == ["Il a refusé.", "Jamais.", "Il est parti."]


def test_empty_and_unsupported_language() -> None:
    assert split_sentences("", "fr") == []
    assert split_sentences(" \u00a0\n\n\u200b", "en") == []
    with pytest.raises(AlignError, match="'de'"):
        split_sentences("Guten Tag.", "de")


def test_format_and_write_segmented(tmp_path: Path) -> None:
    seg = segment_document(_doc(("Il pleut. Il vente.", "Trois."), lang="fr"))
    assert format_sentences(seg, "text") == "Il pleut.\nIl vente.\nTrois.\n"
    records = [json.loads(line) for line in format_sentences(seg, "jsonl").splitlines()]
    assert records[2] == {"doc_id": "d", "lang": "fr", "sentence_id": 2, "paragraph": 1, "text": "Trois."}
    out = tmp_path / "out"
    written = write_segmented([seg], out, "jsonl")
    assert written == [out / "d.jsonl"]
    assert written[0].read_text(encoding="utf-8") == format_sentences(seg, "jsonl")
    assert sorted(p.name for p in out.iterdir()) == ["d.jsonl"]  # no temporary file left behind

    unsafe = segment_document(_doc(("Un.",), doc_id="../evil/x"))
    assert [p.name for p in write_segmented([unsafe], out, "text")] == ["_evil_x.txt"]

    (tmp_path / "file").write_text("x")
    with pytest.raises(AlignError, match="not a folder"):
        write_segmented([seg], tmp_path / "file", "text")
    with pytest.raises(AlignError, match="unknown sentence format"):
        format_sentences(seg, "xml")


def test_cli_segment(align_exe: Path, corpus_dir: Path, tmp_path: Path) -> None:
    seed = corpus_dir / f"{SEED_002}.txt"
    run = subprocess.run([align_exe, "segment", seed], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [text for _, text in EXPECTED_002]

    run = subprocess.run(
        [align_exe, "segment", "--format", "jsonl", "-o", tmp_path / "s", corpus_dir],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.stem for p in (tmp_path / "s").iterdir()) == [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004]
    lines = (tmp_path / "s" / f"{SEED_002}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [(r["paragraph"], r["text"]) for r in map(json.loads, lines)] == EXPECTED_002

    run = subprocess.run([align_exe, "segment", "--format", "xml", seed], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "--format" in run.stderr
