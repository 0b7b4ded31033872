#!/usr/bin/env python3
"""Build, offline and in about a second, a structurally real Argos package (.argosmodel).

It holds a random CTranslate2 Transformer (built from `ctranslate2.specs.TransformerSpec`
through a `Converter` subclass), a SentencePiece model trained on local corpus text, and a
complete metadata.json. Translations are nonsense, but every code path (install, load,
tokenize, batched decoding, detokenize) is the real one. Random weights rarely emit
end-of-sentence, so the output projection is biased towards it: decoding stops after a few
tokens. With --length-clock, end-of-sentence is driven by the decoding step instead, so that
outputs are about as long as a real model's (used by the benchmark).

    python scripts/make_tiny_argos_package.py OUT.argosmodel [--from fr --to en]

The same builder, with --layers 6 --d-model 512 --heads 8 --ffn 2048 --vocab 32000, gives a
model the size of a real Argos fr→en model (used by scripts/bench_translate.py).
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece
from ctranslate2.converters import Converter
from ctranslate2.specs import common_spec, transformer_spec

ROOT = Path(__file__).resolve().parent.parent
CORPUS_GLOBS = (
    (Path("/work/shared/bench"), "*/dev/*/source.fr"),
    (Path("/work/shared/seeds"), "*.txt"),
    (ROOT / "corpus", "*.txt"),
)
# Logit bonus of </s> (other logits have std 4): with a 400-token vocabulary most outputs
# end after 5-30 tokens; a 32k vocabulary has higher maxima and needs about 4 more.
EOS_BIAS = 13.0
# --length-clock: one decoder dimension counts the steps (position encoding CLOCK_RATE * t)
# and only </s> reads it (weight CLOCK_WEIGHT, bias CLOCK_EOS_BIAS). For the Transformer-base
# shape, beam-4 outputs of corpus sentences then have 13-38 pieces (5th-95th percentile,
# mean 25; the inputs have 24), instead of the constant bias's geometric lengths whose long
# tail leaves batches running with few live sentences.
CLOCK_RATE, CLOCK_WEIGHT, CLOCK_EOS_BIAS = 0.2, 20.0, -14.0
ATTENTION_SHARPNESS = 4.0
SPECIALS = ["<unk>", "<s>", "</s>"]  # SentencePiece ids 0, 1, 2 = CTranslate2's defaults
FILLER = "▁⟨filler⟩"  # pads the CTranslate2 vocabulary beyond SentencePiece's pieces


@dataclass(frozen=True)
class ModelShape:
    layers: int = 2
    d_model: int = 64
    heads: int = 4
    ffn: int = 128
    vocab: int = 400  # CTranslate2 vocabulary; SentencePiece gets min(vocab, what the text allows)


def corpus_lines(limit: int) -> list[str]:
    """Up to `limit` non-empty lines of local French/English text, in a fixed order."""
    lines: list[str] = []
    for folder, pattern in CORPUS_GLOBS:
        for path in sorted(folder.glob(pattern)):
            text = path.read_text(encoding="utf-8", errors="replace")
            lines.extend(line.strip() for line in text.splitlines() if line.strip())
            if len(lines) >= limit:
                return lines[:limit]
    if not lines:
        raise SystemExit("no corpus text found to train SentencePiece (see CORPUS_GLOBS)")
    return lines


def train_sentencepiece(lines: list[str], vocab_size: int) -> bytes:
    """A SentencePiece model (serialized) trained on `lines`; shrinks the vocabulary if the
    text is too small for `vocab_size`."""
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="bpe",
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


class RandomTransformerConverter(Converter):
    """Converts "nothing" into a Transformer with seeded random weights."""

    def __init__(
        self, vocabulary: list[str], shape: ModelShape, seed: int = 0, eos_bias: float = EOS_BIAS,
        length_clock: bool = False,
    ) -> None:
        self.vocabulary = vocabulary
        self.shape = shape
        self.eos_bias = eos_bias
        self.length_clock = length_clock
        self.rng = np.random.default_rng(seed)

    def _weights(self, *dims: int, scale: float | None = None) -> np.ndarray:
        scale = scale if scale is not None else 1.0 / np.sqrt(dims[-1])
        return (self.rng.standard_normal(dims) * scale).astype(np.float32)

    def _linear(self, spec: common_spec.LinearSpec, out_dim: int, in_dim: int) -> None:
        spec.weight = self._weights(out_dim, in_dim)
        spec.bias = np.zeros(out_dim, dtype=np.float32)

    def _norm(self, spec: common_spec.LayerNormSpec) -> None:
        spec.gamma = np.ones(self.shape.d_model, dtype=np.float32)
        spec.beta = np.zeros(self.shape.d_model, dtype=np.float32)

    def _ffn(self, spec: transformer_spec.FeedForwardSpec) -> None:
        d, ffn = self.shape.d_model, self.shape.ffn
        self._norm(spec.layer_norm)
        self._linear(spec.linear_0, ffn, d)
        self._linear(spec.linear_1, d, ffn)

    def _load(self) -> transformer_spec.TransformerSpec:
        d, vocab = self.shape.d_model, len(self.vocabulary)
        spec = transformer_spec.TransformerSpec.from_config(self.shape.layers, self.shape.heads)
        for stack in (spec.encoder, spec.decoder):
            self._norm(stack.layer_norm)
        spec.encoder.embeddings[0].weight = self._weights(vocab, d)
        spec.decoder.embeddings.weight = self._weights(vocab, d)
        for layer in spec.encoder.layer:
            self._norm(layer.self_attention.layer_norm)
            self._linear(layer.self_attention.linear[0], 3 * d, d)
            self._linear(layer.self_attention.linear[1], d, d)
            self._ffn(layer.ffn)
        for layer in spec.decoder.layer:
            self._norm(layer.self_attention.layer_norm)
            self._linear(layer.self_attention.linear[0], 3 * d, d)
            self._linear(layer.self_attention.linear[1], d, d)
            self._norm(layer.attention.layer_norm)
            # Peaky cross-attention: each step looks at a few source tokens, so the output
            # depends on the input instead of on an average of it.
            self._linear(layer.attention.linear[0], d, d)
            layer.attention.linear[0].weight *= ATTENTION_SHARPNESS
            self._linear(layer.attention.linear[1], 2 * d, d)
            self._linear(layer.attention.linear[2], d, d)
            self._ffn(layer.ffn)
        # Sharp logits (one clear winner per step) so beam search behaves like greedy search,
        # and an end-of-sentence bias that makes </s> the winner after a few tokens.
        projection = spec.decoder.projection
        projection.weight = self._weights(vocab, d, scale=4.0 / np.sqrt(d))
        projection.bias = np.zeros(vocab, dtype=np.float32)
        projection.bias[SPECIALS.index("</s>")] = self.eos_bias
        # Filler entries (see vocabulary()) are never emitted, so outputs are real pieces.
        projection.bias[[i for i, piece in enumerate(self.vocabulary) if piece.startswith(FILLER)]] = -30.0
        if self.length_clock:
            self._clock(spec)
        spec.register_source_vocabulary(self.vocabulary)
        spec.register_target_vocabulary(self.vocabulary)
        return spec

    def _clock(self, spec: transformer_spec.TransformerSpec, steps: int = 1024) -> None:
        """Sinusoidal decoder positions, with dimension 0 replaced by a step counter that only
        the </s> logit reads (see CLOCK_RATE)."""
        d = self.shape.d_model
        position = np.arange(steps)[:, None]
        dim = np.arange(d)[None, :]
        angle = position / np.power(10000.0, (dim - dim % 2) / d)
        encodings = np.where(dim % 2 == 0, np.sin(angle), np.cos(angle)).astype(np.float32)
        encodings[:, 0] = CLOCK_RATE * np.arange(steps)
        spec.decoder.position_encodings.encodings = encodings
        eos = SPECIALS.index("</s>")
        projection = spec.decoder.projection
        projection.weight[:, 0] = 0.0
        projection.weight[eos] = 0.0
        projection.weight[eos, 0] = CLOCK_WEIGHT
        projection.bias[eos] = CLOCK_EOS_BIAS


def vocabulary(sp_model: bytes, size: int) -> list[str]:
    """SentencePiece pieces (specials first), padded with filler pieces up to `size`."""
    processor = sentencepiece.SentencePieceProcessor(model_proto=sp_model)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    assert pieces[:3] == SPECIALS, pieces[:3]
    return pieces + [f"{FILLER}{i}" for i in range(size - len(pieces))]


def metadata(src: str, tgt: str, version: str) -> dict[str, object]:
    names = {"fr": "French", "en": "English", "es": "Spanish", "de": "German"}
    return {
        "package_version": version,
        "argos_version": "1.9",
        "from_code": src,
        "from_name": names.get(src, src),
        "to_code": tgt,
        "to_name": names.get(tgt, tgt),
        "type": "translate",
        "links": [],
    }


def _walk(folder: Path) -> Iterator[Path]:
    return (p for p in sorted(folder.rglob("*")) if p.is_file())


def build_package(
    out: Path,
    src: str = "fr",
    tgt: str = "en",
    *,
    shape: ModelShape = ModelShape(),
    corpus_limit: int = 2000,
    seed: int = 0,
    version: str = "0.0.1",
    eos_bias: float = EOS_BIAS,
    length_clock: bool = False,
) -> Path:
    """Write a .argosmodel zip at `out` (one top-level folder, like Argos' packages)."""
    sp_model = train_sentencepiece(corpus_lines(corpus_limit), min(shape.vocab, 8000))
    top = f"translate-{src}_{tgt}-tiny"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / top
        converter = RandomTransformerConverter(
            vocabulary(sp_model, shape.vocab), shape, seed, eos_bias, length_clock
        )
        converter.convert(str(folder / "model"), quantization="int8")
        (folder / "sentencepiece.model").write_bytes(sp_model)
        (folder / "metadata.json").write_text(json.dumps(metadata(src, tgt, version), indent=2))
        (folder / "README.md").write_text("Random weights, for tests and benchmarks only.\n")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:
            for path in _walk(folder):
                archive.write(path, path.relative_to(tmp).as_posix())
        partial.replace(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the .argosmodel file to write")
    parser.add_argument("--from", dest="src", default="fr", help="source language code")
    parser.add_argument("--to", dest="tgt", default="en", help="target language code")
    parser.add_argument("--layers", type=int, default=ModelShape.layers)
    parser.add_argument("--d-model", type=int, default=ModelShape.d_model)
    parser.add_argument("--heads", type=int, default=ModelShape.heads)
    parser.add_argument("--ffn", type=int, default=ModelShape.ffn)
    parser.add_argument("--vocab", type=int, default=ModelShape.vocab)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--version", default="0.0.1", help="package_version in metadata.json")
    parser.add_argument("--eos-bias", type=float, default=EOS_BIAS, help="logit bonus of </s>")
    parser.add_argument("--length-clock", action="store_true",
                        help="stop after about 25 tokens, like a real model (Transformer-base shape)")
    args = parser.parse_args()
    shape = ModelShape(args.layers, args.d_model, args.heads, args.ffn, args.vocab)
    path = build_package(
        args.out, args.src, args.tgt, shape=shape, seed=args.seed, version=args.version,
        eos_bias=args.eos_bias, length_clock=args.length_clock,
    )
    print(path)


if __name__ == "__main__":
    main()
