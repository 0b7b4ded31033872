"""The one exception type for errors a user can fix (bad input, missing model...)."""

from __future__ import annotations


class AlignError(Exception):
    """A user-facing error: its message is one line that names the file and says what to do."""
