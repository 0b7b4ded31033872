"""Argos Translate packages run directly on CTranslate2, batched.

`argostranslate.translate` translates one string at a time and re-splits it into sentences
with a model it downloads at run time; our sentences are already split, so we tokenize them
with the package's SentencePiece model and hand them all to `translate_batch`, which sorts
them by length and cuts batches of at most `max_batch_tokens` tokens.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from align.errors import AlignError
from align.translate import argos_packages
from align.translate.base import Translator

DEFAULT_BEAM_SIZE = 4  # what Argos uses
DEFAULT_MAX_BATCH_TOKENS = 2048


def _fingerprint(model_bin: Path) -> str:
    """Short content hash of the weights, so two packages with one version number differ."""
    digest = hashlib.sha256()
    with model_bin.open("rb") as weights:
        while block := weights.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()[:12]


def resolve_device(device: str) -> str:
    """"auto" → cuda when CTranslate2 sees a GPU, else cpu; "cuda" without a GPU is an error."""
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    if device == "auto":
        return "cuda" if gpus > 0 else "cpu"
    if device == "cuda" and gpus == 0:
        raise AlignError("--device cuda: CTranslate2 sees no CUDA GPU; use --device cpu")
    if device not in ("cpu", "cuda"):
        raise AlignError(f"unknown device {device!r}: use cpu, cuda or auto")
    return device


class ArgosTranslator(Translator):
    """Neural translation with an installed Argos package (CTranslate2 + SentencePiece)."""

    # Argos models are trained on sentences; longer inputs are split (about 150 tokens).
    max_chars = 600

    def __init__(
        self,
        src: str = "fr",
        tgt: str = "en",
        *,
        package: Path | None = None,
        beam_size: int = DEFAULT_BEAM_SIZE,
        max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
        device: str = "cpu",
        threads: int = 0,
    ) -> None:
        import sentencepiece

        self.src, self.tgt = src, tgt
        found = argos_packages.find_installed(src, tgt) if package is None else None
        if package is None and found is None:
            raise AlignError(
                f"no Argos {src}→{tgt} package in {argos_packages.packages_dir()}: run "
                f"`align models install {src} {tgt}` (needs internet) or `align models install "
                f"--file PKG.argosmodel`, or use --engine apertium"
            )
        folder = Path(package) if package is not None else found.path  # type: ignore[union-attr]
        metadata = argos_packages.read_installed_metadata(folder)
        self.package = folder
        self.beam_size = beam_size
        self.max_batch_tokens = max_batch_tokens
        self.device = resolve_device(device)
        compute_type = "int8" if self.device == "cpu" else "int8_float16"
        threads = threads or os.cpu_count() or 1
        self.target_prefix = str(metadata.get("target_prefix") or "")
        try:
            self._model = argos_packages.load_model(
                folder / "model",
                device=self.device,
                compute_type=compute_type,
                intra_threads=threads,
                inter_threads=1,
            )
            self._sp = sentencepiece.SentencePieceProcessor(
                model_file=str(folder / "sentencepiece.model")
            )
        except Exception as exc:  # noqa: BLE001 - CTranslate2 raises assorted types for bad files
            raise AlignError(
                f"Argos package {folder} does not load ({exc}): reinstall it with "
                f"`align models install`"
            ) from None
        self.id = (
            f"argos:{src}-{tgt}:{metadata['package_version']}:"
            f"{_fingerprint(folder / 'model' / 'model.bin')}:beam={beam_size}:{compute_type}"
        )

    def _translate_batch(self, sentences: list[str]) -> list[str]:
        tokens = self._sp.encode(sentences, out_type=str)
        prefix = [[self.target_prefix]] * len(tokens) if self.target_prefix else None
        results = self._model.translate_batch(
            tokens,
            target_prefix=prefix,
            max_batch_size=self.max_batch_tokens,
            batch_type="tokens",
            beam_size=self.beam_size,
            length_penalty=0.2,
            replace_unknowns=True,
        )
        return [self._decode(result.hypotheses[0]) for result in results]

    def _decode(self, pieces: list[str]) -> str:
        if self.target_prefix and pieces and pieces[0] == self.target_prefix:
            pieces = pieces[1:]
        return str(self._sp.decode_pieces(pieces)).strip()
