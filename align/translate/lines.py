"""Line files (one sentence per line) for `align translate` and provided translations."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from align.atomic import write_text_atomic
from align.errors import AlignError


def read_lines(path: str | Path) -> list[str]:
    """The lines of a UTF-8 file ("-" reads stdin), without line ends; a final newline does
    not make an extra empty line."""
    name = "stdin" if str(path) == "-" else str(path)
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise AlignError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise AlignError(f"{name}: is a folder; give a file with one sentence per line") from None
    except UnicodeDecodeError as exc:
        raise AlignError(
            f"{name}: not UTF-8 (byte {exc.start}); convert it, e.g. `iconv -t utf-8`"
        ) from None
    except OSError as exc:
        raise AlignError(f"{name}: cannot read ({exc.strerror})") from None
    if "\0" in text:
        raise AlignError(f"{name}: contains NUL bytes (binary file?); give a text file")
    # Only \n separates sentences: a stray \r or \x0b inside a line is cleaned, not a break.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def write_lines(path: str | Path, lines: Sequence[str]) -> None:
    """Write one line per item ("-" writes stdout); files are replaced atomically. Line breaks
    inside an item become spaces, so line i is always item i."""
    text = "".join(" ".join(line.splitlines()) + "\n" for line in lines)
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_text_atomic(path, text)
