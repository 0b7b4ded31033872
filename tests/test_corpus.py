"""Ingest: formats, language identification, and bad input, all with real files."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from align.corpus import Corpus, guess_title, load_corpus, split_paragraphs
from align.errors import AlignError

SEED_002 = "002_8a8f612192489650"

FRENCH = (
    "Guerre en Ukraine. Joe Biden autorise Kiev à frapper des cibles en Russie\n\n"
    "Joe Biden, qui s’y refusait jusqu’à présent, a donné son feu vert à l’Ukraine pour frapper des cibles "
    "sur le sol russe, dans la région de Kharkiv, sous certaines conditions, a indiqué un responsable américain.\n\n"
    "« Notre position n’a pas changé », a-t-il déclaré. Les États-Unis s’opposent toujours aux frappes "
    "en profondeur sur le territoire russe, a précisé ce responsable à la presse.\n"
)
ENGLISH = (
    "Biden lets Ukraine strike inside Russia near Kharkiv\n\n"
    "Joe Biden, who had refused to do so until now, has given Ukraine the green light to strike targets on "
    "Russian soil in the Kharkiv region, under certain conditions, an American official said on Thursday.\n"
)
GERMAN = (
    "Biden erlaubt der Ukraine Angriffe auf russisches Gebiet\n\n"
    "Der amerikanische Präsident hat der Ukraine erlaubt, mit amerikanischen Waffen Ziele auf russischem "
    "Boden in der Region Charkiw anzugreifen, sagte ein Regierungsvertreter am Donnerstag.\n"
)


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _reasons(corpus: Corpus) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in corpus.skipped}


# --- the demo corpus ---------------------------------------------------------


def test_demo_corpus_two_english_three_french(corpus_dir: Path) -> None:
    corpus = load_corpus([corpus_dir])
    assert corpus.skipped == [] and corpus.warnings == []  # corpus/README.md is silently ignored
    assert [(d.id, d.lang) for d in corpus.documents] == [
        ("000_102a33f85755df4d", "en"),
        ("001_98e871194931fdb2", "en"),
        ("002_8a8f612192489650", "fr"),
        ("003_c8f4650f96df5b00", "fr"),
        ("004_58232c4dcf10481f", "fr"),
    ]
    assert all(d.lang_confidence > 0.9 for d in corpus.documents)
    for doc in corpus.documents:
        raw = Path(doc.source).read_bytes()
        assert Path(doc.source).parent == corpus_dir
        assert doc.sha256 == hashlib.sha256(raw).hexdigest()  # UTF-8 files: decoded text == bytes


def test_demo_corpus_titles_and_paragraphs(corpus_dir: Path) -> None:
    docs = {d.id[:3]: d for d in load_corpus([corpus_dir]).documents}
    assert docs["000"].title is None  # opens with prose, no headline
    assert docs["001"].title == "War in Ukraine | Biden authorizes Ukraine to strike targets in Russia to defend Kharkiv"
    # The rubric line comes first; the headline (given twice) is the title.
    assert docs["002"].title == (
        "Guerre en Ukraine. Joe Biden autorise Kiev à frapper des cibles en Russie pour défendre Kharkiv"
    )
    assert docs["003"].title.endswith("contre la Russie – Politico")
    # Paragraphs are raw: the double space of the repeated headline and the NBSPs are kept.
    assert docs["002"].paragraphs[2] == (
        "Guerre en Ukraine.  Joe Biden autorise Kiev à frapper des cibles en Russie pour défendre Kharkiv"
    )
    assert "\u00a0" in docs["002"].paragraphs[5]
    assert [len(docs[k].paragraphs) for k in sorted(docs)] == [6, 39, 15, 14, 28]
    assert docs["003"].paragraphs[1] == "Meguetan Infos"  # no blank lines: one paragraph per line


def test_split_paragraphs_both_layouts() -> None:
    assert split_paragraphs("\n\nA a\nsuite\r\n\r\n  \nB b\n\n") == ("A a\nsuite", "B b")
    assert split_paragraphs("Titre\nPremier.\n  Second.  \n") == ("Titre", "Premier.", "Second.")
    assert split_paragraphs(" \n\t\n") == ()


def test_guess_title() -> None:
    assert guess_title(["Rubrique", "Un titre bien plus long", "Du texte qui se termine."]) == "Un titre bien plus long"
    assert guess_title(["Une phrase complète.", "Titre"]) is None


# --- formats -------------------------------------------------------------------


def test_txt_language_override(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", FRENCH)
    doc = load_corpus([tmp_path / "a.txt"], lang="en").documents[0]
    assert (doc.lang, doc.lang_confidence) == ("en", 1.0)
    with pytest.raises(AlignError, match="unsupported language 'de'"):
        load_corpus([tmp_path / "a.txt"], lang="de")


def test_jsonl_records_and_bad_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "fr-1", "text": FRENCH, "lang": "fr-FR", "title": "Titre  donné", "url": "https://x.fr/1",
                    "date": "2024-05-30"}, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"id": "en-1", "text": ENGLISH}),
        json.dumps({"id": "no-text"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "de-1", "text": GERMAN, "lang": "de"}),
        json.dumps({"id": "forced", "text": ENGLISH, "lang": "fr"}),
    ]
    path = _write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    corpus = load_corpus([path], lang="en")
    docs = {d.id: d for d in corpus.documents}
    assert sorted(docs) == ["en-1", "forced", "fr-1"]
    assert (docs["fr-1"].lang, docs["fr-1"].title, docs["fr-1"].url, docs["fr-1"].date) == (
        "fr", "Titre donné", "https://x.fr/1", "2024-05-30"
    )
    assert docs["fr-1"].paragraphs[0] == "Guerre en Ukraine. Joe Biden autorise Kiev à frapper des cibles en Russie"
    assert docs["fr-1"].sha256 == hashlib.sha256(FRENCH.encode()).hexdigest()
    assert docs["fr-1"].source == str(path)
    assert docs["forced"].lang == "fr"  # a record's own "lang" wins over lang=
    assert docs["en-1"].lang == "en"
    skipped = {s.path: s.reason for s in corpus.skipped}
    assert set(skipped) == {f"{path}:3", f"{path}:5", f"{path}:6", f"{path}:7"}
    assert "not valid JSON" in skipped[f"{path}:3"]
    assert '"text"' in skipped[f"{path}:5"]
    assert "JSON object" in skipped[f"{path}:6"]
    assert "not French or English" in skipped[f"{path}:7"]


def test_html_main_text(tmp_path: Path) -> None:
    body = "".join(f"<p>{p}</p>" for p in FRENCH.split("\n\n")[1:])
    html = (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Biden autorise Kiev - Le Site</title>"
        "</head><body><nav><ul><li>Accueil</li><li>Monde</li></ul></nav><article>"
        "<h1>Joe Biden autorise Kiev à frapper des cibles en Russie</h1>"
        f"{body}</article><footer>Tous droits réservés. Mentions légales.</footer></body></html>"
    )
    doc = load_corpus([_write(tmp_path / "page.html", html)]).documents[0]
    assert doc.id == "page" and doc.lang == "fr"
    assert doc.title is not None and "Biden autorise Kiev" in doc.title
    assert any(p.startswith("Joe Biden, qui s’y refusait") for p in doc.paragraphs)
    assert any(p.startswith("« Notre position n’a pas changé »") for p in doc.paragraphs)
    assert not any("Accueil" in p or "Mentions légales" in p for p in doc.paragraphs)


def test_cp1252_text_is_decoded_with_a_warning(tmp_path: Path, corpus_dir: Path) -> None:
    original = (corpus_dir / f"{SEED_002}.txt").read_text(encoding="utf-8")
    _write(tmp_path / "latin.txt", original.encode("cp1252"))
    _write(tmp_path / "utf8.txt", original)
    corpus = load_corpus([tmp_path])
    latin, utf8 = corpus.documents
    assert latin.paragraphs == utf8.paragraphs and latin.sha256 == utf8.sha256
    assert latin.lang == "fr"
    assert len(corpus.warnings) == 1
    assert corpus.warnings[0].startswith(f"{tmp_path / 'latin.txt'}: decoded as cp1252")


def test_utf16_with_bom(tmp_path: Path) -> None:
    _write(tmp_path / "u16.txt", ENGLISH.encode("utf-16"))
    corpus = load_corpus([tmp_path])
    assert corpus.documents[0].paragraphs[0] == "Biden lets Ukraine strike inside Russia near Kharkiv"


# --- folders -----------------------------------------------------------------------


def test_folder_rules(tmp_path: Path) -> None:
    _write(tmp_path / "README.md", "# notes")
    _write(tmp_path / "README.txt", "Not an article.")
    _write(tmp_path / "notes.md", "notes")
    _write(tmp_path / ".hidden.txt", ENGLISH)
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "b.txt", ENGLISH)
    _write(tmp_path / "a.TXT", FRENCH)
    corpus = load_corpus([tmp_path])
    assert [d.id for d in corpus.documents] == ["a", "b"] and corpus.skipped == []
    # Given explicitly, an unsupported file is reported, not silently dropped.
    explicit = load_corpus([tmp_path / "README.md", tmp_path / "a.TXT"])
    assert [d.id for d in explicit.documents] == ["a"]
    assert "unsupported file type '.md'" in _reasons(explicit)["README.md"]


def test_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    _write(tmp_path / "x" / "same.txt", FRENCH)
    _write(tmp_path / "y" / "same.txt", ENGLISH)
    corpus = load_corpus([tmp_path])
    assert [d.lang for d in corpus.documents] == ["fr"]
    assert "duplicate document id 'same'" in corpus.skipped[0].reason


# --- bad input: each is reported, the rest is still read ----------------------------------


@pytest.fixture()
def bad_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    _write(folder / "good_fr.txt", FRENCH)
    _write(folder / "good_en.txt", ENGLISH)
    _write(folder / "empty.txt", b"")
    _write(folder / "blank.txt", " \n\n\t\n")
    _write(folder / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)))
    _write(folder / "garbled.txt", b"\x81\x8d\x8f\x90\x9d" * 60)
    _write(folder / "german.txt", GERMAN)
    _write(folder / "lines.jsonl", json.dumps({"id": "j1", "text": ENGLISH}) + "\n{oops\n")
    with (folder / "huge.txt").open("wb") as handle:  # 50 MB of real text
        block = b"Ceci est une phrase assez ordinaire. " * 1000
        for _ in range(50 * 2**20 // len(block) + 1):
            handle.write(block)
        handle.truncate(50 * 2**20)
    (tmp_path / "nothing").mkdir()
    _write(tmp_path / "nothing" / "README.md", "no articles here")
    return tmp_path


def test_bad_input_is_reported_and_the_rest_is_read(bad_corpus: Path) -> None:
    corpus = load_corpus([bad_corpus / "corpus", bad_corpus / "nothing"])
    assert [d.id for d in corpus.documents] == ["good_en", "good_fr", "j1"]
    reasons = _reasons(corpus)
    assert set(reasons) == {"empty.txt", "blank.txt", "image.txt", "garbled.txt", "german.txt", "lines.jsonl:2",
                            "huge.txt", "nothing"}
    assert "empty file" in reasons["empty.txt"]
    assert "no text" in reasons["blank.txt"]
    assert "binary file" in reasons["image.txt"]
    assert "re-save the file as UTF-8" in reasons["garbled.txt"]
    assert "'de'" in reasons["german.txt"] and "--lang" in reasons["german.txt"]
    assert "not valid JSON" in reasons["lines.jsonl:2"]
    assert "over the 20 MB limit" in reasons["huge.txt"] and "--max-size" in reasons["huge.txt"]
    assert "no articles" in reasons["nothing"]
    assert all("\n" not in reason for reason in reasons.values())


def test_more_unreadable_files(tmp_path: Path) -> None:
    _write(tmp_path / "odd16.txt", b"\xff\xfeA\x00B")  # UTF-16 BOM, odd number of bytes
    _write(tmp_path / "blank.jsonl", "\n  \n")
    _write(tmp_path / "page.html", "<html><head><title>Vide</title></head><body></body></html>")
    _write(tmp_path / "menu.html", "<html><body><nav>Accueil</nav></body></html>")
    _write(tmp_path / "ok.txt", ENGLISH)
    corpus = load_corpus([tmp_path])
    assert [d.id for d in corpus.documents] == ["ok"]
    reasons = _reasons(corpus)
    assert "not valid UTF-16" in reasons["odd16.txt"]
    assert "no JSON lines" in reasons["blank.jsonl"]
    assert "no article text found" in reasons["page.html"]
    assert "language unclear" in reasons["menu.html"]


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", FRENCH)
    assert load_corpus([tmp_path], max_bytes=len(FRENCH.encode())).documents
    corpus = load_corpus([tmp_path], max_bytes=100)
    assert corpus.documents == [] and "limit" in corpus.skipped[0].reason


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AlignError, match="no-such-dir: no such file or folder"):
        load_corpus([tmp_path / "no-such-dir"])


# --- CLI ------------------------------------------------------------------------------------


def test_cli_ingest_demo_corpus(align_exe: Path, corpus_dir: Path) -> None:
    run = subprocess.run([align_exe, "ingest", corpus_dir], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines() if "_" in line and "│" in line]
    assert len(rows) == 5
    assert sum("en (1.00)" in row for row in rows) == 2
    assert sum("fr (1.00)" in row for row in rows) == 3
    row_002 = next(row for row in rows if SEED_002 in row)
    assert [cell.strip() for cell in row_002.split("│")[3:5]] == ["15", "18"]  # paragraphs, sentences


def test_cli_ingest_bad_input(align_exe: Path, bad_corpus: Path) -> None:
    run = subprocess.run(
        [align_exe, "ingest", bad_corpus / "corpus", bad_corpus / "nothing"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "3 document(s)" in run.stdout
    skipped_lines = [line for line in run.stderr.splitlines() if line.startswith("skipped:")]
    assert len(skipped_lines) == 8
    assert any("huge.txt: file is 50.0 MB, over the 20 MB limit" in line for line in skipped_lines)
    assert "3 document(s) read, 8 input(s) skipped." in run.stderr


def test_cli_missing_path(align_exe: Path, tmp_path: Path) -> None:
    run = subprocess.run([align_exe, "ingest", tmp_path / "nope"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.strip() == f"error: {tmp_path / 'nope'}: no such file or folder; check the path"
