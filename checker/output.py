"""Writing a report file safely: atomically, with the umask's mode, and never over what it must not replace.

The report goes to a temporary file beside the target, which is then renamed over it; a rename
replaces whatever the target is: an input card, a symbolic link itself, even /dev/null when run
as root. So the target is checked first, and refused unless it is absent or a regular file that
is not an input.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path


class OutputRefused(Exception):
    """The report cannot or must not be written there; the message says why, naming the path."""


def _same_file(out: Path, card: Path) -> bool:
    """Whether writing `out` would overwrite `card`: the same path, or the same inode (a hard link)."""
    try:
        if out.resolve() == card.resolve():
            return True
        return os.path.samefile(out, card)
    except (OSError, RuntimeError):  # either missing, or a link loop: not the same existing file
        return False


def check_output_path(out: Path, cards: Sequence[Path] = ()) -> None:
    """Refuse an output path that writing would damage (OutputRefused), before any work is done."""
    for card in cards:
        if _same_file(out, card):
            raise OutputRefused(
                f"cannot write {out}: it is the card {card} being checked; refusing to overwrite an input"
            )
    try:
        mode: int | None = os.lstat(out).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as error:
        raise OutputRefused(f"cannot write {out}: {error.strerror or error}") from None
    if mode is not None and stat.S_ISLNK(mode):
        raise OutputRefused(f"cannot write {out}: it is a symbolic link; give the path of a regular file")
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputRefused(f"cannot write {out}: it is a folder; give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputRefused(f"cannot write {out}: not a regular file (device, pipe or socket)")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise OutputRefused(f"cannot write {out}: no folder {folder}")


def _umask() -> int:
    """The process umask. Reading it means setting it: a private mask, restored at once."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_atomically(out: Path, content: str | bytes) -> None:
    """Write atomically: a reader never sees half a report, a failure leaves nothing behind.

    The file gets the mode any other program would give it (0666 less the umask), not the
    temporary file's private 0600.
    """
    check_output_path(out)
    folder = out.parent if str(out.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile("wb", dir=folder, prefix=f".{out.name}.", delete=False)  # noqa: SIM115 - closed below, then renamed
    except OSError as error:
        raise OutputRefused(f"cannot write {out}: {error.strerror or error}") from None
    try:
        with handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
        os.replace(handle.name, out)
    except BaseException as error:
        Path(handle.name).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputRefused(f"cannot write {out}: {error.strerror or error}") from None
        raise
