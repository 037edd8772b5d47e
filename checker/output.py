"""Where reports go, and writing them safely: the output plan of a check, and atomic writes.

`plan_output` turns the --format and -o a user gave into an `OutputPlan` (which formats, to
standard output, a file or a folder), refusing what cannot work before any card is checked.
A report goes to a temporary file beside the target (`.<name>.safetycase-tmp-XXXXXXXX`, known
for ours by `is_temporary`), synced to disk, then renamed over it; a rename replaces whatever
the target is: an input card, a symbolic link itself, even /dev/null when run as root. So the
target is checked first, and refused unless it is absent or a regular file that is not an input:
not the card, not a file of the profile (the one given or one it extends), and not a file the
card declares as evidence (by name, existing or not, and by device and inode), which is known
once the card is read and before anything is written.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.problems import UsageError
from checker.render import FORMATS, Format, RenderOptions, format_named
from checker.report import Report


class OutputRefused(UsageError):
    """The report cannot or must not be written there; the message says why, naming the path."""


def _same_file(out: Path, card: Path) -> bool:
    """Whether writing `out` would overwrite `card`: the same path, or the same inode (a hard link)."""
    try:
        if out.resolve() == card.resolve():
            return True
        return os.path.samefile(out, card)
    except (OSError, RuntimeError):  # either missing, or a link loop: not the same existing file
        return False


def _declares(out: Path, card: Path, evidence: Sequence[str]) -> str | None:
    """The declared evidence path (relative to the card's folder) that writing `out` would replace, if any.

    By name, whether or not the file exists: the name `out` replaces (its folder's links resolved)
    against each declared path under the card's folder, taken as written, since evidence is read
    through the card's own folders and never through a link (checker.evidence). And by device and
    inode where both exist.
    """
    folder, name = os.path.split(os.path.abspath(out))
    target, card_folder = os.path.join(os.path.realpath(folder), name), os.path.realpath(card.parent)
    for declared in evidence:
        if os.path.normpath(os.path.join(card_folder, declared)) == target:
            return declared
    try:
        written = os.stat(out)
    except (OSError, ValueError):
        return None
    for declared in evidence:
        try:
            if os.path.samestat(written, os.stat(card.parent / declared)):
                return declared
        except (OSError, ValueError):  # missing, or a path no file can have (a NUL in it)
            continue
    return None


def _refuse_inputs(out: Path, inputs: Iterable[tuple[Path, str]]) -> None:
    """Refuse (OutputRefused) an `out` that is one of the `inputs`: (path, what it is, for the message)."""
    for path, what in inputs:
        if _same_file(out, path):
            raise OutputRefused(f"cannot write {out}: it is {what}; refusing to overwrite an input")


def _the_card(card: Path) -> tuple[Path, str]:
    return card, f"the card {card} being checked"


def check_not_an_input(out: Path, report: Report) -> None:
    """Refuse (OutputRefused) to write a report over its card or over a file its card declares."""
    card = Path(report.submission.path)
    _refuse_inputs(out, [_the_card(card)])
    declared = _declares(out, card, [record.path for record in report.evidence])
    if declared is not None:
        raise OutputRefused(
            f"cannot write {out}: it is the evidence file {declared} that the card {card} declares; "
            "refusing to overwrite an input"
        )


def check_output_path(out: Path, cards: Sequence[Path] = (), profile_files: Sequence[str] = ()) -> None:
    """Refuse an output path that writing would damage (OutputRefused), before any work is done.

    `profile_files`: those of the profile the check runs under (Profile.files). The files a card
    declares are known once it is read: check_not_an_input refuses those.
    """
    _refuse_inputs(
        out,
        [
            *map(_the_card, cards),
            *((Path(profile), f"the profile file {profile} the check runs under") for profile in profile_files),
        ],
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


def check_output_folder(out: Path, card_folders: Iterable[Path]) -> None:
    """Refuse (OutputRefused) an output folder inside a card's folder, where a report could replace its evidence."""
    inside = os.path.realpath(out)
    for folder in sorted(set(card_folders)):
        real = os.path.realpath(folder)
        if os.path.commonpath([inside, real]) == real:
            raise OutputRefused(
                f"cannot write into {out}: it is inside {folder}, the folder of a card, whose evidence files a "
                "report there could replace; give a folder outside every card's folder"
            )


def _umask() -> int:
    """The process umask. Reading it means setting it: a private mask, restored at once."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


TEMPORARY = ".safetycase-tmp-"
"""Marks write_atomically's temporary files (`.<name>.safetycase-tmp-XXXXXXXX`), so that the ones a killed
process left behind can be known for ours and removed, and nothing else."""


_TEMPORARY_NAME = re.compile(rf"\..+{re.escape(TEMPORARY)}[a-z0-9_]{{8}}")
"""The name tempfile gives with that prefix: eight random lower-case letters, digits or underscores."""


def is_temporary(name: str) -> bool:
    """Whether a file name is one of write_atomically's temporary files."""
    return _TEMPORARY_NAME.fullmatch(name) is not None


def write_atomically(out: Path, content: str | bytes, *, durable: bool = True) -> None:
    """Write atomically: a reader never sees half a report, a failure leaves nothing behind.

    The content reaches the disk (fsync) before the rename, and the rename before this returns
    (fsync of the folder): after a crash or power cut the file is the old one or the new one,
    never an empty one. Not `durable`: neither is waited for (about 10 ms a file here), for a
    file that a crash may empty or lose without harm, such as a cache. The file gets the mode
    any other program would give it (0666 less the umask), not the temporary file's private 0600.
    """
    check_output_path(out)
    folder = out.parent if str(out.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile("wb", dir=folder, prefix=f".{out.name}{TEMPORARY}", delete=False)  # noqa: SIM115 - closed below, then renamed
    except OSError as error:
        raise OutputRefused(f"cannot write {out}: {error.strerror or error}") from None
    try:
        with handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            if durable:
                os.fsync(handle.fileno())
        os.replace(handle.name, out)
        if durable:
            _sync_folder(folder)
    except BaseException as error:
        Path(handle.name).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputRefused(f"cannot write {out}: {error.strerror or error}") from None
        raise


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable: its entry is written to disk with the folder, not with the file."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- the output plan of a check -------------------------------------------------------------------


def parse_formats(value: str) -> tuple[Format, ...]:
    """`json,sarif,markdown` -> those formats, each known and none twice; UsageError otherwise."""
    names = tuple(name.strip().lower() for name in value.split(","))
    if not all(names):
        raise UsageError(f"--format '{value}' has an empty name; give names separated by commas, e.g. json,sarif")
    for name in names:
        try:
            format_named(name)
        except LookupError as error:
            raise UsageError(str(error)) from None
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UsageError(f"--format names {', '.join(repeated)} more than once")
    return tuple(FORMATS[name] for name in names)


@dataclass(frozen=True)
class OutputPlan:
    """Where the reports of a check go: standard output, one file, or one file per format in a folder."""

    formats: tuple[Format, ...]
    several_cards: bool
    """More than one card: their documents are joined into one output (standard output only)."""
    targets: tuple[Path, ...]
    """The file of each format, in order; empty when the report goes to standard output."""
    folder: Path | None
    """Several formats: the folder -o names, made (if new) once the reports are ready."""

    def write(self, report: Report) -> tuple[Path, ...]:
        """Render the one card's report in every format and write each file atomically; the files written.

        Refused (OutputRefused) before anything is written when a file would replace the card's evidence.
        """
        for target in self.targets:
            check_not_an_input(target, report)
        documents = [fmt.render(report) for fmt in self.formats]
        if self.folder is not None and not self.folder.exists():
            try:
                self.folder.mkdir()
            except OSError as error:
                raise UsageError(f"cannot write {self.folder}: {error.strerror or error}") from None
        for target, document in zip(self.targets, documents, strict=True):
            write_atomically(target, document)
        return self.targets

    def text(self, reports: Sequence[Report], options: RenderOptions) -> str:
        """What goes to standard output: the one format's documents, joined when there are several cards."""
        (fmt,) = self.formats
        texts = []
        for report in reports:
            document = fmt.render(report, options)
            assert isinstance(document, str), f"{fmt.name} is binary: plan_output sends it to a file"
            texts.append(document)
        if self.several_cards and fmt.join is not None:
            return fmt.join(texts)
        return "".join(texts)  # one card, or none that could be checked


def _output_folder(out: Path) -> None:
    """-o for several formats: a folder, or a new one whose parent exists (made once the reports are ready)."""
    try:
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise UsageError(f"cannot write {out}: several formats go to a folder, and {out} is not one")
        if not out.exists() and not out.parent.is_dir():
            raise UsageError(f"cannot write {out}: no folder {out.parent}")
    except OSError as error:  # a name too long, say: the path cannot even be looked at
        raise UsageError(f"cannot write {out}: {error.strerror or error}") from None


def plan_output(
    formats: tuple[Format, ...], out: Path | None, cards: Sequence[Path], profile_files: Sequence[str] = ()
) -> OutputPlan:
    """Where a check of `cards` under a profile read from `profile_files` writes `formats`, given -o;
    UsageError (OutputRefused) before any work is done."""
    first = formats[0]
    if out is not None and len(cards) > 1:
        raise UsageError("-o takes one card; give one card per run, or use `safetycase batch` for a folder of cards")
    if out is None and len(formats) > 1:
        names = ", ".join(f.name for f in formats)
        raise UsageError(f"several formats ({names}) need a folder to write them to: give -o FOLDER")
    if out is None and first.binary:
        raise UsageError(f"the {first.name} format is binary; write it to a file with -o")
    if out is None and len(cards) > 1 and not first.several_cards:
        raise UsageError(
            f"the {first.name} format holds one card; check one card per run, or use `safetycase batch` for a folder"
        )
    folder: Path | None = None
    targets: tuple[Path, ...] = ()
    if out is not None and len(formats) > 1:
        _output_folder(out)
        folder = out
        targets = tuple(out / f"report.{fmt.extension}" for fmt in formats)
    elif out is not None:
        targets = (out,)
    for target in targets:
        if folder is None or folder.is_dir():  # a folder still to be made holds nothing to damage
            check_output_path(target, cards, profile_files)
    return OutputPlan(formats=formats, several_cards=len(cards) > 1, targets=targets, folder=folder)
