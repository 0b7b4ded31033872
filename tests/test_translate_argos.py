"""Argos packages and the batched CTranslate2 engine, on a tiny random package built offline.

Every test gets its own Argos folders (XDG_* and ARGOS_PACKAGES_DIR point into tmp_path);
`argostranslate.settings` reads them at import and is patched if it was imported earlier.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from align.errors import AlignError
from align.translate import apertium, get_translator

REPO = Path(__file__).resolve().parents[1]
SENTENCES = [
    "Le gouvernement a annoncé une nouvelle loi.",
    "Les enfants jouent dans le jardin de leur grand-mère.",
    "Il pleut.",
    "La commission européenne publie son rapport annuel sur la concurrence.",
    "Merci beaucoup !",
    "Le président a rencontré les syndicats mardi matin à Paris.",
]


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "translate-fr_en.argosmodel"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_tiny_argos_package.py"), str(out)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    packages = tmp_path / "argos-packages"
    packages.mkdir()
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    from argostranslate import settings

    monkeypatch.setattr(settings, "package_data_dir", packages)
    monkeypatch.setattr(settings, "package_dirs", [packages])
    # An index nobody answers: "auto" must fail fast instead of hanging.
    monkeypatch.setattr(settings, "remote_package_index", "http://127.0.0.1:9/index.json")
    return packages


def rewrite(package: Path, out: Path, *, drop: str = "", add: dict[str, bytes] | None = None,
            replace: dict[str, bytes] | None = None) -> Path:
    """Copy a package archive, dropping/adding/replacing members (by name suffix)."""
    replace = replace or {}
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if drop and info.filename.endswith(drop):
                continue
            suffix = next((k for k in replace if info.filename.endswith(k)), None)
            dst.writestr(info, replace[suffix] if suffix else src.read(info))
        for name, data in (add or {}).items():
            dst.writestr(zipfile.ZipInfo(name), data)
    return out


def test_import_align_does_not_import_argostranslate() -> None:
    code = "import sys, align.translate, align.cli; print('argostranslate' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_install_list_remove(tiny_package: Path, argos_dir: Path) -> None:
    from align.translate import argos_packages

    installed = argos_packages.install_file(tiny_package)
    assert installed.path.parent == argos_dir
    assert (installed.from_code, installed.to_code, installed.version) == ("fr", "en", "0.0.1")
    assert installed.size_bytes > 100_000
    assert argos_packages.list_installed() == [installed]
    # Argos itself sees the package where argospm would have put it.
    from argostranslate import package as argos_package

    assert [(p.from_code, p.to_code) for p in argos_package.get_installed_packages()] == [("fr", "en")]
    assert argos_packages.remove("fr", "en") == [installed.path]
    assert argos_packages.list_installed() == []
    with pytest.raises(AlignError, match="no Argos fr→en package is installed"):
        argos_packages.remove("fr", "en")


def _hostile_packages(tiny_package: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good_metadata = json.loads(zipfile.ZipFile(tiny_package).read("translate-fr_en-tiny/metadata.json"))
    incomplete = {k: v for k, v in good_metadata.items() if k != "to_code"}
    not_zip = tmp_path / "plain.argosmodel"
    not_zip.write_text("hello")
    return {
        "not a zip": (not_zip, "not an Argos package"),
        "zip-slip": (
            rewrite(tiny_package, tmp_path / "slip.argosmodel", add={"../evil.txt": b"x"}),
            "outside the package folder",
        ),
        "absolute": (
            rewrite(tiny_package, tmp_path / "abs.argosmodel", add={"/tmp/evil.txt": b"x"}),
            "outside the package folder",
        ),
        "no metadata": (
            rewrite(tiny_package, tmp_path / "nometa.argosmodel", drop="metadata.json"),
            "no translate-fr_en-tiny/metadata.json",
        ),
        "incomplete metadata": (
            rewrite(
                tiny_package,
                tmp_path / "incomplete.argosmodel",
                replace={"metadata.json": json.dumps(incomplete).encode()},
            ),
            "metadata.json lacks to_code",
        ),
        "corrupt model": (
            rewrite(tiny_package, tmp_path / "corrupt.argosmodel", replace={"model.bin": b"\0" * 999}),
            "the model does not load",
        ),
    }


def test_bad_packages_are_refused_and_leave_nothing(
    tiny_package: Path, argos_dir: Path, tmp_path: Path
) -> None:
    from align.translate import argos_packages

    for case, (path, message) in _hostile_packages(tiny_package, tmp_path).items():
        with pytest.raises(AlignError, match=message):
            argos_packages.install_file(path)
        assert list(argos_dir.iterdir()) == [], case
    assert not (tmp_path / "evil.txt").exists()


def test_reinstall_replaces_the_package(tiny_package: Path, argos_dir: Path) -> None:
    from align.translate import argos_packages

    first = argos_packages.install_file(tiny_package)
    second = argos_packages.install_file(tiny_package)
    assert first.path == second.path and [p.name for p in argos_dir.iterdir()] == [first.path.name]


def test_batched_translation_is_one_to_one(tiny_package: Path, argos_dir: Path) -> None:
    from align.translate import argos_packages
    from align.translate.argos import ArgosTranslator

    argos_packages.install_file(tiny_package)
    translator = ArgosTranslator("fr", "en", beam_size=1, max_batch_tokens=16)
    batched = translator.translate(SENTENCES)
    one_by_one = [translator.translate([s])[0] for s in SENTENCES]
    assert batched == one_by_one  # a shifted or merged output would differ
    assert len(set(batched)) > 1 and all(batched)
    assert translator.translate(SENTENCES) == batched  # deterministic
    assert translator.id.startswith("argos:fr-en:0.0.1:") and ":beam=1:int8" in translator.id


def test_bad_input(tiny_package: Path, argos_dir: Path) -> None:
    from align.translate import argos_packages
    from align.translate.argos import ArgosTranslator

    argos_packages.install_file(tiny_package)
    translator = ArgosTranslator("fr", "en", beam_size=1)
    long_sentence = "Le chat dort sur le canapé du salon. " * 270  # ~10,000 characters
    out = translator.translate(["", "Il\x00 pleut\n.", long_sentence, "Il pleut ."])
    assert out[0] == ""
    assert out[1] == out[3]  # control characters are cleaned before the engine
    assert out[2]  # split into pieces the model can take, joined back


def test_missing_model_says_how_to_install(argos_dir: Path) -> None:
    from align.translate.argos import ArgosTranslator

    with pytest.raises(AlignError, match="align models install fr en"):
        ArgosTranslator("fr", "en")


def test_get_translator_argos_caches(tiny_package: Path, argos_dir: Path, tmp_path: Path) -> None:
    from align.translate import argos_packages

    argos_packages.install_file(tiny_package)
    first = get_translator("argos", cache=tmp_path / "c.sqlite3", beam_size=1)
    out = first.translate(SENTENCES)
    first.close()
    second = get_translator("argos", cache=tmp_path / "c.sqlite3", beam_size=1)
    assert second.translate(SENTENCES) == out
    assert (second.counters.hits, second.counters.misses) == (len(SENTENCES), 0)
    second.close()


def test_auto_prefers_installed_argos(tiny_package: Path, argos_dir: Path) -> None:
    from align.translate import argos_packages

    argos_packages.install_file(tiny_package)
    translator = get_translator("auto", use_cache=False)
    assert translator.id.startswith("argos:fr-en:")


@pytest.mark.apertium
@pytest.mark.skipif(not apertium.is_available(), reason="Apertium fr-es/spa-eng not installed")
def test_auto_falls_back_to_apertium_when_offline(argos_dir: Path) -> None:
    notes: list[str] = []
    translator = get_translator("auto", use_cache=False, log=notes.append)
    assert translator.id.startswith("apertium:fr-en:")
    assert notes == ["using Apertium for fr→en (Argos package not available: index unreachable)"]  # one short line
    translator.close()


def test_cuda_without_gpu_is_a_clear_error(tiny_package: Path, argos_dir: Path) -> None:
    import ctranslate2

    from align.translate import argos_packages
    from align.translate.argos import ArgosTranslator

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")
    argos_packages.install_file(tiny_package)
    with pytest.raises(AlignError, match="sees no CUDA GPU"):
        ArgosTranslator("fr", "en", device="cuda")


def test_avx512_kernels_are_chosen_only_where_the_cpu_has_them(tiny_package: Path, tmp_path: Path) -> None:
    """CTranslate2 reads CT2_FORCE_CPU_ISA at its first model load: check it in fresh processes."""
    from align.translate import argos_packages

    folder = tmp_path / "unpacked"
    zipfile.ZipFile(tiny_package).extractall(folder)
    model = next(folder.glob("*/model"))
    probe = ("import os, sys; from pathlib import Path; from align.translate import argos_packages; "
             "argos_packages.load_model(Path(sys.argv[1]), compute_type='int8'); "
             "print(os.environ.get('CT2_FORCE_CPU_ISA', ''))")

    def chosen(**env: str) -> str:
        environ = {k: v for k, v in os.environ.items() if k != "CT2_FORCE_CPU_ISA"} | env
        done = subprocess.run([sys.executable, "-c", probe, str(model)], capture_output=True, text=True,
                              env=environ, check=True)
        return done.stdout.strip()

    assert chosen() == ("AVX512" if argos_packages.cpu_has_avx512() else "")
    assert chosen(CT2_FORCE_CPU_ISA="AVX2") == "AVX2"   # the user's choice is kept


@pytest.mark.slow
def test_length_clock_model_writes_about_as_many_tokens_as_it_reads(tmp_path: Path) -> None:
    """The benchmark's Transformer-base model: outputs end near the source length (no long tail)."""
    import ctranslate2
    import sentencepiece

    sys.path.insert(0, str(REPO / "scripts"))
    import make_tiny_argos_package as maker

    shape = maker.ModelShape(layers=6, d_model=512, heads=8, ffn=2048, vocab=32000)
    package = maker.build_package(tmp_path / "base.argosmodel", shape=shape, corpus_limit=7000, length_clock=True)
    zipfile.ZipFile(package).extractall(tmp_path)
    folder = next(tmp_path.glob("translate-*"))
    processor = sentencepiece.SentencePieceProcessor(model_file=str(folder / "sentencepiece.model"))
    lines = [line for line in (REPO / "corpus").glob("*.txt") for line in line.read_text().splitlines()
             if len(line.split()) >= 5][:40]
    pieces = processor.encode(lines, out_type=str)
    model = ctranslate2.Translator(str(folder / "model"), compute_type="int8")
    results = model.translate_batch(pieces, beam_size=4, length_penalty=0.2, max_decoding_length=256)
    lengths = sorted(len(r.hypotheses[0]) for r in results)
    assert 10 <= lengths[len(lengths) // 2] <= 40 and lengths[-1] < 100, lengths
    assert not any(p.startswith(maker.FILLER) for r in results for p in r.hypotheses[0])


@pytest.fixture
def package_server(tiny_package: Path, tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on the loopback interface, serving the tiny package and an Argos-style
    index: the download code runs as it would against the Argos index, without the internet."""
    import functools
    import http.server
    import shutil
    import threading

    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(tiny_package, site / "translate-fr_en-0_0_1.argosmodel")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    entry = {"from_code": "fr", "to_code": "en", "package_version": "0.0.1"}
    index = [
        {**entry, "package_version": "0.0.0", "links": [f"{base}/old.argosmodel"]},
        {**entry, "links": [f"{base}/missing.argosmodel", f"{base}/translate-fr_en-0_0_1.argosmodel"]},
        {"from_code": "en", "to_code": "fr", "package_version": "9.9", "links": []},
    ]
    (site / "index.json").write_text(json.dumps(index))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_install_from_index_and_url_over_http(package_server: str, tiny_package: Path, argos_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from argostranslate import settings

    from align.translate import argos_packages

    monkeypatch.setattr(settings, "remote_package_index", f"{package_server}/index.json")
    seen: list[tuple[int, int | None]] = []
    # The newest fr→en entry wins; its first link is a 404, the second works.
    installed = argos_packages.install_from_index("fr", "en", progress=lambda d, t: seen.append((d, t)))
    assert (installed.from_code, installed.to_code, installed.version) == ("fr", "en", "0.0.1")
    size = tiny_package.stat().st_size
    assert seen[-1] == (size, size)
    assert argos_packages.list_installed() == [installed]
    argos_packages.remove("fr", "en")

    assert argos_packages.install_url(f"{package_server}/translate-fr_en-0_0_1.argosmodel").version == "0.0.1"
    with pytest.raises(AlignError, match=r"cannot download .*missing\.argosmodel .*404"):
        argos_packages.install_url(f"{package_server}/missing.argosmodel")
    with pytest.raises(AlignError, match="has no de→en package"):
        argos_packages.install_from_index("de", "en")
    with pytest.raises(AlignError, match="no download of the en→fr package worked: no links"):
        argos_packages.install_from_index("en", "fr")
    assert [p.name for p in argos_dir.iterdir()] == [installed.path.name]   # nothing half-installed


def test_models_install_command_from_the_index(package_server: str, argos_dir: Path, align_exe: Path) -> None:
    """`align models install fr en` with ARGOS_PACKAGE_INDEX pointing at the loopback index."""
    env = {**os.environ, "ARGOS_PACKAGE_INDEX": f"{package_server}/"}   # argos_dir set the folders
    done = subprocess.run([str(align_exe), "models", "install", "fr", "en"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "installed fr→en 0.0.1" in done.stderr
    assert [p.name for p in argos_dir.iterdir()] == ["translate-fr_en"]
