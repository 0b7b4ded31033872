"""The Apertium engine, run for real: strict 1:1 mapping, markup characters, bad input."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from align.errors import AlignError
from align.translate import apertium, clean_sentence
from align.translate.apertium import ApertiumTranslator

pytestmark = [
    pytest.mark.apertium,
    pytest.mark.skipif(
        not apertium.is_available("fr", "en"),
        reason="Apertium fr-es/spa-eng not installed (apt-get install apertium-fr-es apertium-eng-spa)",
    ),
]

# Sentences cut mid-phrase: plain line mode would let words move across these boundaries.
SENTENCES = [
    "Le chat noir mange une souris.",
    "Il a mangé la",
    "pomme rouge du voisin.",
    "Le gouvernement a annoncé une nouvelle loi hier.",
    "Les enfants jouent dans le jardin",
    "de leur grand-mère à Lyon.",
]


@pytest.fixture(scope="module")
def fr_en() -> ApertiumTranslator:
    translator = ApertiumTranslator("fr", "en")
    yield translator
    translator.close()


def one_process_per_sentence(sentence: str, modes: tuple[str, str] = ("fr-es", "spa-eng")) -> str:
    """The reference: a fresh `apertium -u` chain for a single sentence."""
    result = subprocess.run(
        f"apertium -u {modes[0]} | apertium -u {modes[1]}",
        shell=True,
        input=sentence,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_batch_equals_one_process_per_sentence(fr_en: ApertiumTranslator) -> None:
    batched = fr_en.translate(SENTENCES)
    assert batched == [one_process_per_sentence(s) for s in SENTENCES]


def test_numbered_sentences_stay_in_place(fr_en: ApertiumTranslator) -> None:
    # A shifted or merged line would put a number in the wrong output.
    sentences = [f"La maison numéro {n} est" for n in range(100, 160)]
    translated = fr_en.translate(sentences)
    assert len(translated) == len(sentences)
    assert [re.findall(r"\d+", text) for text in translated] == [[str(n)] for n in range(100, 160)]


def test_pipeline_is_reused_across_batches(fr_en: ApertiumTranslator) -> None:
    first = fr_en.translate(["Bonjour le monde."])
    pid = fr_en._process.pid  # noqa: SLF001 - the long-lived process is the point of the design
    assert fr_en.translate(["Bonjour le monde."]) == first
    assert fr_en._process.pid == pid  # noqa: SLF001


def test_markup_characters_survive(fr_en: ApertiumTranslator) -> None:
    sentence = r"Prix ^5$ @a [b] /c <d> {e} \f ~g # h."
    (translated,) = fr_en.translate([sentence])
    for char in "^$@[]/<>{}\\~#":
        assert translated.count(char) == sentence.count(char), (char, translated)


def test_no_unknown_word_marks(fr_en: ApertiumTranslator) -> None:
    (translated,) = fr_en.translate(["Le zorglubisme de Bazoulgrat inquiète Qwertyville."])
    assert "Bazoulgrat" in translated and "Qwertyville" in translated
    assert not any(mark + "Bazoulgrat" in translated for mark in "*#@")
    assert "*" not in translated and "#" not in translated and "@" not in translated


def test_empty_control_and_long_sentences(fr_en: ApertiumTranslator) -> None:
    long_sentence = " ".join(["Le chat dort sur le canapé."] * 400)  # ~10,800 characters
    inputs = ["", "   ", "Le chat\ndort\x00 sur\x07 le\ttapis.", long_sentence, "Fin."]
    out = fr_en.translate(inputs)
    assert out[0] == "" and out[1] == ""
    assert out[2] == fr_en.translate(["Le chat dort sur le tapis."])[0]
    assert out[3].count("cat") == 400  # split for the engine, joined back, nothing lost
    assert out[4] == fr_en.translate(["Fin."])[0]


def test_english_to_french_pivots_through_spanish() -> None:
    if not apertium.is_available("en", "fr"):
        pytest.skip("eng-spa/es-fr modes not installed")
    with ApertiumTranslator("en", "fr") as en_fr:
        assert en_fr.modes == ["eng-spa", "es-fr"]
        sentences = ["The black cat sleeps.", "The government announced a new law"]
        assert en_fr.translate(sentences) == [
            one_process_per_sentence(s, ("eng-spa", "es-fr")) for s in sentences
        ]


def test_id_names_engine_and_versions(fr_en: ApertiumTranslator) -> None:
    assert fr_en.id.startswith("apertium:fr-en:apertium=")
    assert "fr-es=" in fr_en.id and "eng-spa=" in fr_en.id


def test_missing_pair_names_the_apt_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APERTIUM_DATADIR", str(tmp_path))
    with pytest.raises(AlignError, match=r"apt-get install -y apertium apertium-lex-tools "
                       r"apertium-eng-spa apertium-fr-es"):
        ApertiumTranslator("fr", "en")


def test_unsupported_direction() -> None:
    with pytest.raises(AlignError, match="no fr→de route"):
        ApertiumTranslator("fr", "de")


def test_pipeline_restarts_after_a_crash(fr_en: ApertiumTranslator) -> None:
    translator = ApertiumTranslator("fr", "en")
    translator.translate(["Un."])
    translator._kill()  # noqa: SLF001 - simulate a crash between batches
    # A new pipeline is started for the next batch.
    assert translator.translate(["Deux."]) == fr_en.translate(["Deux."])
    translator.close()


def test_clean_sentence_is_what_engines_see() -> None:
    assert clean_sentence(" a\tb\r\nc\x00d\x1be\u200b ") == "a b c de"


def test_broken_pair_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modes = tmp_path / "modes"
    modes.mkdir()
    for mode in ("fr-es", "spa-eng"):
        (modes / f"{mode}.mode").write_text(f"lt-proc '{tmp_path}/missing-{mode}.bin'\n")
    monkeypatch.setenv("APERTIUM_DATADIR", str(tmp_path))
    translator = ApertiumTranslator("fr", "en")
    with pytest.raises(AlignError, match=r"Apertium pipeline fr-es\+spa-eng exited .*apt-get install"):
        translator.translate(["Bonjour."])
    translator.close()
