"""Atomic writes: a reader sees the old file or folder, or the new one, never a half-written one.

Files are written to a temporary file in the same folder (same file system, so the rename is
atomic) and renamed over the destination; folders are built beside their destination and
renamed into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from align.errors import AlignError

__all__ = ["atomic_folder", "write_text_atomic"]


def write_text_atomic(path: str | Path, text: str, *, what: str = "") -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically.

    Failures are a one-line `AlignError` naming the file: ``PATH: cannot write[ WHAT] (reason)``.
    """
    target = Path(path)
    label = f"cannot write {what}" if what else "cannot write"
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise AlignError(f"{target}: {label} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AlignError(f"{target}: {label} ({exc.strerror})") from None


def _remove_stale_partials(out_dir: Path) -> None:
    """Remove folders left by runs of this tool that were killed before renaming their output."""
    for partial in out_dir.parent.glob(f".{out_dir.name}.partial-*"):
        try:
            pid = int(partial.name.rsplit("-", 1)[1])
            os.kill(pid, 0)
        except ValueError:
            continue
        except ProcessLookupError:
            shutil.rmtree(partial, ignore_errors=True)
        except PermissionError:  # alive, another user's process
            continue


@contextmanager
def atomic_folder(out_dir: Path) -> Iterator[Path]:
    """Build a folder beside ``out_dir`` (``.NAME.partial-PID``) and rename it into place on success.

    The caller writes into the yielded folder. On an exception the partial folder is removed
    and ``out_dir`` is untouched; on success an existing ``out_dir`` is replaced (renamed
    aside, then removed), so readers see the old folder or the new one, never a mix.
    """
    _remove_stale_partials(out_dir)
    partial = out_dir.with_name(f".{out_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
    except OSError as exc:
        raise AlignError(f"cannot write next to {out_dir} ({exc.strerror}); choose another output folder") from None
    try:
        yield partial
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
            os.replace(partial, out_dir)
            shutil.rmtree(old)
        else:
            os.replace(partial, out_dir)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
