"""Provided translations: line files and JSONL keyed by document and sentence id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from align.errors import AlignError
from align.translate.provided import ProvidedTranslator, load_provided

DOCS = {"b-doc": ["Deux.", "Trois."], "a-doc": ["Un."]}


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_line_file_follows_document_id_then_sentence_order(tmp_path: Path) -> None:
    path = tmp_path / "mt.en"
    path.write_text("One.\nTwo.\nThree.\n", encoding="utf-8")
    assert load_provided(path, DOCS) == {"a-doc": ["One."], "b-doc": ["Two.", "Three."]}


def test_line_count_mismatch_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mt.en"
    path.write_text("One.\nTwo.\n", encoding="utf-8")
    with pytest.raises(AlignError, match=r"mt.en: 2 lines but the segmented source has 3 sentences"):
        load_provided(path, DOCS)


def test_jsonl_in_any_order(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mt.jsonl", [
        {"doc": "b-doc", "id": 1, "mt": "Three."},
        {"doc": "a-doc", "id": 0, "mt": "One."},
        {"doc": "b-doc", "id": 0, "mt": "Two."},
    ])
    assert load_provided(path, DOCS) == {"b-doc": ["Two.", "Three."], "a-doc": ["One."]}


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"doc": "a-doc", "id": 0, "mt": "One."}, {"doc": "b-doc", "id": 0, "mt": "Two."}],
         r"no translation for 1 sentence\(s\) of 'b-doc' \(first: id 1\)"),
        ([{"doc": "c-doc", "id": 0, "mt": "?"}], r"mt.jsonl:1: no sentence 0 in document 'c-doc'"),
        ([{"doc": "a-doc", "id": 5, "mt": "?"}], r"no sentence 5 in document 'a-doc'"),
        ([{"doc": "a-doc", "id": 0, "mt": "One."}, {"doc": "a-doc", "id": 0, "mt": "Uno."}],
         r"mt.jsonl:2: second translation for sentence 0"),
        ([{"doc": "a-doc", "id": "0", "mt": "One."}], r'"id" an integer'),
        ([{"doc": "a-doc", "id": 0}], r'"mt" must be a string'),
    ],
)
def test_jsonl_mismatches_are_errors(tmp_path: Path, records: list[dict[str, object]], message: str) -> None:
    with pytest.raises(AlignError, match=message):
        load_provided(write_jsonl(tmp_path / "mt.jsonl", records), DOCS)


def test_jsonl_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mt.jsonl"
    path.write_text('{"doc": "a-doc", "id": 0, "mt": "One."}\n{oops\n', encoding="utf-8")
    with pytest.raises(AlignError, match=r"mt.jsonl:2: not valid JSON"):
        load_provided(path, DOCS)


def test_provided_translator_answers_by_sentence(tmp_path: Path) -> None:
    path = tmp_path / "mt.en"
    path.write_text("One.\nTwo.\nThree.\n", encoding="utf-8")
    translator = ProvidedTranslator.from_file(path, DOCS)
    assert translator.translate(["Trois.", "", "Un.", "Trois."]) == ["Three.", "", "One.", "Three."]
    assert translator.id.startswith("provided:mt.en:")
    with pytest.raises(AlignError, match="no provided translation for 1 sentence"):
        translator.translate(["Quatre."])
    path.write_text("One.\nTwo.\nTHREE.\n", encoding="utf-8")
    assert ProvidedTranslator.from_file(path, DOCS).id != translator.id  # content changes the id
