"""Evidence files: read only from the card's own folder, bounded in size, hashed once, raw samples recounted.

The card's folder is proved to be the one the card was read from: opened without following a
link, it must hold, under the card's name, the very file read (its device and inode), else every
declared file is refused. A folder swapped for a link after the card was read leads nowhere.

A declared path is refused, before anything is opened, when it is absolute or uses `..`. What
remains is walked one name at a time from a descriptor of the card's folder, each folder opened
without following a link: a symbolic link anywhere in the path is refused, so that a folder
swapped for a link while the check runs leads nowhere (resolving the path first and opening it
later read a file outside in a few of 300 such swaps). The last name is looked at before it is
opened, and opened only if it is a regular file, never a device, pipe or socket; a file with more
than one name (a hard link) is refused too, as its other name may lie outside the card's folder.

Sizes are bounded by the profile: a file over `max_evidence_file_mib`, or one that would take the
card's files past `max_evidence_card_mib` in all (in the order they are declared), is refused by
its size and not read. Within one check each file is read once, however often and under whatever
spelling it is declared; and a batch keeps the hashes it made (`Hashes`), so that a rerun does not
read an unchanged file again. Each file is read in chunks for its sha256 and for the count of every
context of its raw samples (JSON Lines, one `{"context", "outcome"}` a line): memory stays the same
whatever the file's size, and a malformed line costs no more than a good one.

Raw samples are recognised by what a file holds, not only by the kind it is declared as: a file of
another kind is recounted too, up to its first line that is not a sample, and a file whose every line
(at least one) is a sample holds raw samples whatever it is called (so that `kind: dataset` does not
spare the counts a check). A file of nothing but whitespace is empty: it supports nothing.

`verify(submission, card, limits)` gives one EvidenceRecord per declared file; `recounted(records)`
the counts that replace the declared arms where raw samples were read cleanly. (For a card file,
`checker.pipeline.verify_evidence(card_path)` loads and validates it first.)
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from pathlib import PureWindowsPath
from typing import Any, Literal, get_args

from checker.load import FileRead
from checker.load.limits import MIB, size_text, sizes
from checker.model import Context, Submission
from checker.profiles import Profile
from checker.report import EvidenceRecord, MalformedLine, RecountedArm

CHUNK = MIB
"""Bytes read at a time."""
MALFORMED_SHOWN = 5
"""Malformed lines quoted by number; the rest are counted."""
MAX_LINE = 16 << 20
"""Longest raw-samples line read, in bytes: a longer one is malformed, and skipped without being held."""
CONTEXTS = frozenset(get_args(Context))
SHORTEST_SAMPLE = min(len(json.dumps({"context": c, "outcome": True}, separators=(",", ":"))) for c in CONTEXTS)
"""No line shorter than this can hold a sample: it is blank or malformed, told apart without parsing it."""
_BOM = "\ufeff"
_JSON_SPACE = " \t\r\n"
_SPACE = " \t\r\n\x0b\x0c"
"""Every ASCII space, as bytes.strip() sees it: a line of nothing else is blank."""
_SHA256 = re.compile("[0-9a-f]{64}")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
"""What decoding with surrogateescape makes of a byte that is not UTF-8 (valid UTF-8 never decodes to these)."""
_DECODER = json.JSONDecoder()
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
"""The decoder's scanner, called on each line of text decoded once a chunk: json.loads on each
line's bytes takes five times as long, and raw_decode only wraps it."""
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
"""A file is opened without following a link, blocking (a pipe swapped in after it was looked at)
or becoming the controlling terminal (a terminal device swapped in)."""
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
"""The sha256 of an empty file: declared, it says the file holds nothing, even when it is not read."""
SETTLED_NS = 2 * 10**9
"""A hash is kept for later runs only if the file's ctime was this much older than the reading:
file times are coarse (a clock tick, or seconds on some file systems), so a write in the same tick
as the reading could leave the stamp as it was."""


# --- limits and the hashes a batch keeps --------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLimits:
    """The most a check reads of a card's evidence, in bytes: one file, and all its files together."""

    file_bytes: int
    card_bytes: int

    @classmethod
    def of(cls, profile: Profile) -> EvidenceLimits:
        return cls(file_bytes=profile.max_evidence_file_mib * MIB, card_bytes=profile.max_evidence_card_mib * MIB)


Stamp = tuple[int, int, int, int, int]
"""(st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns): while a file's stamp stays, its bytes are
taken to stay. No user can set a ctime: a write(), and every utime() that sets an mtime back,
moves it to the present. A write through a shared memory mapping may not (on tmpfs it never
does): a process on the checking machine that holds a submission's file open can keep its
stamp, which is why `batch --force` uses no kept hash."""


def _stamp(info: os.stat_result) -> Stamp:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class Hashes:
    """The sha256 of files by stamp, and what each holds: those of an earlier batch run given in, those of this run added.

    `state()` is what the batch keeps for its next run: the stamps this run met, as JSON. A file that
    holds raw samples is read again all the same, for its counts.
    """

    def __init__(self, state: object = None) -> None:
        self._known: dict[Stamp, Read] = {}
        self._met: dict[Stamp, Read] = {}
        for item in state if isinstance(state, list) else ():  # a state file that is not as written is ignored
            if isinstance(item, list) and len(item) == 7 and all(type(n) is int for n in item[:5]):
                device, inode, size, mtime, ctime, sha256, content = item
                held = _CONTENTS.get(content) if isinstance(content, str) else None
                if isinstance(sha256, str) and _SHA256.fullmatch(sha256) and held is not None:
                    self._known[device, inode, size, mtime, ctime] = Read(sha256, held, size)

    def get(self, stamp: Stamp) -> Read | None:
        found = self._known.get(stamp)
        if found is not None:
            self._met[stamp] = found
        return found

    def add(self, stamp: Stamp, read: Read) -> None:
        self._known[stamp] = self._met[stamp] = Read(read.sha256, read.content, read.size)

    def state(self) -> list[list[int | str]]:
        return [[*stamp, read.sha256, read.content] for stamp, read in sorted(self._met.items())]


# --- the raw-samples recount --------------------------------------------------------------------


def _judge(line: str, explain: bool = False) -> tuple[str, bool] | str | None:
    """A line's sample as (context, outcome); None when it is blank; else what is wrong with it.

    Judged as json.loads judges the line's bytes alone (a byte-order mark and JSON's whitespace
    around the value allowed), parsed once. What is wrong with a valid object is put in words only
    when `explain`: only the lines shown need it, and a malformed line must cost no more than a good one.
    """
    text = line.removeprefix(_BOM).strip(_JSON_SPACE)
    if not text or text[0] in "\x0b\x0c":
        return None if not text.strip(_SPACE) else "not a JSON value"
    if not text.isascii() and _NOT_UTF8.search(text):
        return "not a JSON value"
    try:
        sample, end = _SCAN(text, 0)
    except RecursionError:
        return "nested too deeply"
    except (StopIteration, ValueError):
        return "not a JSON value"
    if end != len(text):
        return "not a JSON value"
    if type(sample) is not dict:
        return "not a JSON object"
    context, outcome = sample.get("context"), sample.get("outcome")
    if type(context) is not str or context not in CONTEXTS:
        return f"'context' is {json.dumps(context)[:40]}, not a known context" if explain else "unknown context"
    if outcome is not True and outcome is not False:
        return f"'outcome' is {json.dumps(outcome)[:40]}, not true or false" if explain else "no outcome"
    return context, outcome


@dataclass
class _Recount:
    """The running count of a raw-samples file, fed a chunk at a time."""

    counts: Counter[tuple[str, bool]] = field(default_factory=Counter)
    malformed: list[MalformedLine] = field(default_factory=list)
    malformed_total: int = 0
    line: int = 0
    pending: list[bytes] = field(default_factory=list)
    """The start of a line that the next chunk goes on with (nothing held past MAX_LINE)."""
    pending_size: int = 0
    too_long: bool = False
    """The line being read is past MAX_LINE: its bytes are dropped up to its end."""

    def feed(self, chunk: bytes) -> None:
        first = chunk.find(b"\n")
        if first < 0:
            self._hold(chunk)
            return
        self._hold(chunk[:first])
        self._end_line()
        last = chunk.rfind(b"\n")
        if last > first:
            self._lines(chunk[first + 1 : last])
        self._hold(chunk[last + 1 :])

    def close(self) -> None:
        if self.pending or self.too_long:  # a last line without a newline
            self._end_line()

    def _hold(self, piece: bytes) -> None:
        if not piece or self.too_long:
            return
        self.pending_size += len(piece)
        if self.pending_size > MAX_LINE:
            self.pending, self.pending_size, self.too_long = [], 0, True
        else:
            self.pending.append(piece)

    def _end_line(self) -> None:
        self.line += 1
        if self.too_long:
            self._malformed(f"longer than {MAX_LINE >> 20} MiB")
            self.too_long = False
        else:
            found = _judge(b"".join(self.pending).decode("utf-8", "surrogateescape"), explain=True)
            if isinstance(found, tuple):
                self.counts[found] += 1
            elif found is not None:
                self._malformed(found)
        self.pending, self.pending_size = [], 0

    def _lines(self, block: bytes) -> None:
        """Whole lines of one chunk, without the last newline: decoded at once, then judged one by one.

        Empty lines are passed over in bulk; a line too short to hold a sample costs a length and a
        strip; any other is parsed once. What is wrong with a malformed line is worked out only for the
        lines shown.
        """
        counts: dict[tuple[str, bool], int] = {}  # a plain dict: a Counter's += takes twice as long
        malformed, shown = 0, len(self.malformed)
        lines = block.decode("utf-8", "surrogateescape").split("\n")
        for index, line in compress(enumerate(lines, start=self.line + 1), lines):
            if len(line) < SHORTEST_SAMPLE:
                if not line.removeprefix(_BOM).strip(_SPACE):
                    continue
            else:
                found = _judge(line)
                if found is None:
                    continue
                if type(found) is tuple:
                    counts[found] = counts.get(found, 0) + 1
                    continue
            malformed += 1
            if shown < MALFORMED_SHOWN:
                problem = _judge(line, explain=True)
                assert isinstance(problem, str), "a line judged malformed is judged so again"
                self.malformed.append(MalformedLine(line=index, problem=problem))
                shown += 1
        self.line += len(lines)
        self.malformed_total += malformed
        self.counts.update(counts)

    def _malformed(self, problem: str) -> None:
        self.malformed_total += 1
        if len(self.malformed) < MALFORMED_SHOWN:
            self.malformed.append(MalformedLine(line=self.line, problem=problem))

    def arms(self) -> tuple[RecountedArm, ...]:
        contexts = sorted({context for context, _ in self.counts})
        return tuple(
            RecountedArm(context=c, n=self.counts[(c, True)] + self.counts[(c, False)], count=self.counts[(c, True)])
            for c in contexts
        )


Content = Literal["empty", "samples", "other"]
"""What a file holds, as far as the checks care: nothing but whitespace; raw samples (every line that is
not blank is a sample, and there is one at least); or anything else."""
_CONTENTS: dict[str, Content] = {content: content for content in get_args(Content)}

Wanted = Literal["hash", "content", "counts"]
"""What a reading must give: the sha256 (and what the file holds) alone, for a batch's fingerprint or an
audit's report; also the counts of the raw samples a file holds, for a file an evaluation declares as
any kind; or the counts however malformed the lines, for a file declared as raw samples."""


@dataclass(frozen=True)
class Read:
    """A file read: its sha256, what it holds, its size, and the count of its samples where one was made."""

    sha256: str
    content: Content
    size: int
    recount: _Recount | None = None

    def gives(self, wanted: Wanted) -> bool:
        """Whether this reading answers what is wanted, or the file must be read (again)."""
        if wanted == "counts":
            return self.recount is not None
        return wanted == "hash" or self.content != "samples" or self.recount is not None


def digest(descriptor: int, size: int, counts: bool) -> Read | None:
    """The Read of an open file of `size` bytes; None if it holds more.

    One pass in chunks, constant memory; never more than `size` and one byte is read. Its samples are
    recounted on the way: all of them when `counts`, else only while every line is one (the first
    malformed line shows that the file does not hold raw samples, and the rest is only hashed).
    """
    sha256 = hashlib.sha256()
    recount: _Recount | None = _Recount()
    empty = True
    remaining = size + 1
    while remaining and (chunk := os.read(descriptor, min(CHUNK, remaining))):
        remaining -= len(chunk)
        sha256.update(chunk)
        empty = empty and not chunk.strip()
        if recount is not None:
            recount.feed(chunk)
            if not counts and recount.malformed_total:
                recount = None
    if not remaining:
        return None
    if recount is not None:
        recount.close()
    samples = recount is not None and not recount.malformed_total and bool(recount.counts)
    content: Content = "empty" if empty else "samples" if samples else "other"
    return Read(sha256.hexdigest(), content, size, recount if counts or samples else None)


# --- reading a declared file --------------------------------------------------------------------


@dataclass(frozen=True)
class Unread:
    """Why a declared evidence file was not read."""

    status: Literal["missing", "refused"]
    reason: str


_LINK = "is a symbolic link; evidence is read from the card's own folder, never through a link"
_HARD_LINK = (
    "has {n} names (hard links), and another may lie outside the card's folder; submit a copy with one name instead"
)
_NOT_REGULAR = "not a regular file (device, pipe, socket or folder)"
_FOLDER_CHANGED = (
    "the card's folder changed while it was checked, or the card or its folder is a symbolic link: "
    "evidence is read only from the folder the card file was read from"
)


def _names(declared: str) -> tuple[str, ...] | Unread:
    """The names to walk from the card's folder to the declared file, or why the path is refused unopened."""
    if not declared or "\x00" in declared:
        return Unread("refused", "an empty path or one holding a NUL character")
    if declared.startswith(("/", "\\")) or PureWindowsPath(declared).drive:
        return Unread("refused", "an absolute path; evidence paths are relative to the card's folder")
    if ".." in declared.replace("\\", "/").split("/"):
        return Unread("refused", "uses '..'; evidence paths may not step up a folder")
    names = tuple(name for name in declared.split("/") if name not in ("", "."))
    return names or Unread("refused", "names the card's folder, not a file")


def _unopened(error: OSError) -> Unread:
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return Unread("missing", "no such file")
    return Unread("refused", f"cannot be opened: {error.strerror or error}")


def _open(folder: int, names: Sequence[str]) -> int | Unread:
    """An open descriptor of the regular file at `names` under the folder's descriptor, or why not.

    Each name is looked at (without following it) before it is opened, and opened without following
    a link: a name swapped for a link between the two fails to open instead of leading elsewhere.
    """
    here = folder
    try:
        for depth, name in enumerate(names):
            last, shown = depth == len(names) - 1, "/".join(names[: depth + 1])
            try:
                mode = os.stat(name, dir_fd=here, follow_symlinks=False).st_mode
                if stat.S_ISLNK(mode):
                    return Unread("refused", f"'{shown}' {_LINK}")
                if not last and not stat.S_ISDIR(mode):
                    return Unread("missing", f"no such file ('{shown}' is not a folder)")
                if last and not stat.S_ISREG(mode):
                    return Unread("refused", _NOT_REGULAR)
                opened = os.open(name, _FILE_FLAGS if last else _FOLDER_FLAGS, dir_fd=here)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.EMLINK):  # a link swapped in after the look
                    return Unread("refused", f"'{shown}' {_LINK}")
                return _unopened(error)
            if here != folder:
                os.close(here)
            here = opened
        found, here = here, folder  # the file's descriptor is handed over, not closed below
        return found
    finally:
        if here != folder:
            os.close(here)


def _card_folder(card: FileRead) -> int | Unread:
    """A descriptor of the folder the card was read from, or why there is none.

    The folder is opened by its name, so it is proved to be the card's by what it holds: the card's
    name in it, not followed, must be the file read. A folder renamed away and replaced (by a link
    or a copy) after the card was read holds another file or none, and nothing is read from it.
    """
    try:
        folder = os.open(card.path.parent, _FOLDER_FLAGS)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):  # a link, or no longer a folder
            return Unread("refused", _FOLDER_CHANGED)
        return Unread("refused", f"the card's folder cannot be opened: {error.strerror or error}")
    try:
        info = os.stat(card.path.name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        info = None
    if info is None or (info.st_dev, info.st_ino) != card.identity:
        os.close(folder)
        return Unread("refused", _FOLDER_CHANGED)
    return folder


def _not_a_file_of_its_own(info: os.stat_result) -> Unread | None:
    """Why an opened file is refused before a byte of it is read, or None: it must be a regular file (one swapped
    in after the look is not) with one name (a hard link would let a card read a file outside its folder)."""
    if not stat.S_ISREG(info.st_mode):
        return Unread("refused", _NOT_REGULAR)
    if info.st_nlink > 1:
        return Unread("refused", _HARD_LINK.format(n=info.st_nlink))
    return None


class _Reading:
    """One check's reading of a card's folder: its descriptor, the bytes the card may still use, and what was read.

    `read(_names(declared), wanted)` is the one place where a declared path becomes a file read.
    """

    def __init__(self, card: FileRead, limits: EvidenceLimits, hashes: Hashes | None) -> None:
        self.limits, self.hashes = limits, hashes
        self.admitted = 0
        """Bytes of the distinct files admitted so far: the card's total."""
        self.files: dict[tuple[int, int], Read | Unread] = {}
        """What each file (device, inode) gave, so that it is read once however often it is declared."""
        self.folder = _card_folder(card)

    def __enter__(self) -> _Reading:
        return self

    def __exit__(self, *_: object) -> None:
        if isinstance(self.folder, int):
            os.close(self.folder)

    def read(self, names: tuple[str, ...] | Unread, wanted: Wanted) -> Read | Unread:
        """What reading the declared file (its _names) gives, as much as `wanted`; or why it was not read."""
        if isinstance(names, Unread):
            return names
        if isinstance(self.folder, Unread):
            return self.folder
        opened = _open(self.folder, names)
        if isinstance(opened, Unread):
            return opened
        try:
            info = os.fstat(opened)
            known = self.files.get((info.st_dev, info.st_ino))
            if known is None or (isinstance(known, Read) and not known.gives(wanted)):
                # Read when new, or again for the counts if it was first declared as another kind.
                known = self.files[info.st_dev, info.st_ino] = self._read(opened, info, wanted, known is None)
            return known
        finally:
            os.close(opened)

    def _read(self, opened: int, info: os.stat_result, wanted: Wanted, new: bool) -> Read | Unread:
        if (kept_out := _not_a_file_of_its_own(info)) is not None:
            return kept_out
        size, limits = info.st_size, self.limits
        if size > limits.file_bytes:
            shown, most = sizes(size, limits.file_bytes)
            return Unread(
                "refused",
                f"the file is {shown}; the limit is {most} a file (the profile's max_evidence_file_mib); it was not read",
            )
        if new and self.admitted + size > limits.card_bytes:
            return Unread(
                "refused",
                f"the file is {size_text(size)}, and the card's evidence files before it take "
                f"{size_text(self.admitted)} of the {size_text(limits.card_bytes)} a card may use "
                "(the profile's max_evidence_card_mib); it was not read",
            )
        if new:
            self.admitted += size
        stamp = _stamp(info)
        known = self.hashes.get(stamp) if self.hashes is not None else None
        if known is not None and known.gives(wanted):
            return known
        started = time.time_ns()
        try:
            read = digest(opened, size, counts=wanted == "counts")
        except OSError as error:
            return Unread("refused", f"cannot be read: {error.strerror or error}")
        if read is None or _stamp(os.fstat(opened)) != stamp:
            return Unread("refused", "the file changed while it was read")
        if self.hashes is not None and max(info.st_mtime_ns, info.st_ctime_ns) < started - SETTLED_NS:
            self.hashes.add(stamp, read)
        return read


# --- the records of a check ---------------------------------------------------------------------


EVALUATIONS = "/evaluations/"
"""How the pointer of a file an evaluation declares begins."""


@dataclass(frozen=True)
class _Entry:
    pointer: str
    path: str
    declared: str | None
    kind: str | None
    entry: str
    """The id of the evaluation or audit that declares the file."""

    @property
    def wanted(self) -> Wanted:
        """What reading the file must give for this declaration: an evaluation's files are recounted
        when they hold raw samples, whatever their kind; an audit's report is only hashed."""
        if self.kind == "raw_samples":
            return "counts"
        return "content" if self.pointer.startswith(EVALUATIONS) else "hash"


def _entries(submission: Submission) -> Iterator[_Entry]:
    for i, evaluation in enumerate(submission.evaluations or ()):
        for j, file in enumerate(evaluation.evidence or ()):
            yield _Entry(f"/evaluations/{i}/evidence/{j}", file.path, file.sha256, file.kind, evaluation.id)
    for i, audit in enumerate(submission.independent_audits or ()):
        if audit.report is not None:
            report = audit.report
            yield _Entry(
                f"/independent_audits/{i}/report", report.path, report.sha256, report.kind or "report", audit.id
            )
        if audit.statement is not None:  # verified and listed like any file; checker.statement reads what it says
            statement = audit.statement
            yield _Entry(
                f"/independent_audits/{i}/statement", statement.path, statement.sha256, "auditor_statement", audit.id
            )


def _check(result: Read | Unread, entry: _Entry) -> EvidenceRecord:
    declared = entry.declared.lower() if entry.declared else None
    record = {
        "pointer": entry.pointer,
        "path": entry.path,
        "entry": entry.entry,
        "kind": entry.kind,
        "declared_sha256": declared,
    }
    if isinstance(result, Unread):
        return EvidenceRecord(**record, actual_sha256=None, status=result.status, reason=result.reason)
    actual = result.sha256
    samples = entry.kind == "raw_samples" or (entry.wanted == "content" and result.content == "samples")
    recount = result.recount if samples else None  # else read for another declaration of the same file
    if declared is not None and actual != declared:
        return EvidenceRecord(
            **record, actual_sha256=actual, status="mismatch", reason="the file's sha256 differs from the declared one"
        )
    if result.content == "empty":
        return EvidenceRecord(
            **record,
            actual_sha256=actual,
            status="empty",
            reason=f"the file {'is empty' if not result.size else 'holds only whitespace'} ({size_text(result.size)})",
            recounted=recount.arms() if recount is not None else None,
        )
    if recount is not None and recount.malformed_total:
        return EvidenceRecord(
            **record,
            actual_sha256=actual,
            status="unverifiable",
            reason=f"{recount.malformed_total:,} malformed line{'s' if recount.malformed_total != 1 else ''} in the raw samples",
            malformed=tuple(recount.malformed),
            malformed_total=recount.malformed_total,
        )
    return EvidenceRecord(
        **record,
        actual_sha256=actual,
        status="verified" if declared is not None else "not_declared",
        reason="" if declared is not None else "no sha256 declared: the file was read but cannot be matched",
        recounted=recount.arms() if recount is not None else None,
    )


def verify(
    submission: Submission, card: FileRead, limits: EvidenceLimits, hashes: Hashes | None = None
) -> tuple[EvidenceRecord, ...]:
    """Every declared evidence file and audit report, checked in the folder of `card` (the file the submission was read from).

    A file declared as raw samples anywhere is recounted the one time it is read, and so is any
    other file of an evaluation's that holds raw samples. `hashes`: the sha256 of files unchanged
    since an earlier run (not read again unless recounted), and where this check adds the hashes it makes.
    """
    entries = [(entry, _names(entry.path)) for entry in _entries(submission)]
    counted = {names for entry, names in entries if entry.wanted == "counts"}
    with _Reading(card, limits, hashes) as reading:
        return tuple(
            _check(reading.read(names, "counts" if names in counted else entry.wanted), entry)
            for entry, names in entries
        )


def hash_declared(card: FileRead, paths: Iterable[str], limits: EvidenceLimits, hashes: Hashes) -> list[str]:
    """Each declared path's sha256, or 'missing' or 'refused': what a check of `card` would read, from `hashes` where unchanged."""
    with _Reading(card, limits, hashes) as reading:
        return [
            result.status if isinstance(result, Unread) else result.sha256
            for result in (reading.read(_names(path), "hash") for path in paths)
        ]


def read_whole(card: FileRead, declared: str, most: int) -> bytes | Unread:
    """The bytes of one small declared file, for a document read whole (an auditor's statement), or why not.

    Opened as every evidence file is (from the card's folder, no link, a regular file with one name);
    refused unread when it holds more than `most` bytes.
    """
    names, folder = _names(declared), _card_folder(card)
    if isinstance(folder, Unread):
        return folder
    try:
        opened = names if isinstance(names, Unread) else _open(folder, names)
    finally:
        os.close(folder)
    if isinstance(opened, Unread):
        return opened
    try:
        info = os.fstat(opened)
        if (kept_out := _not_a_file_of_its_own(info)) is not None:
            return kept_out
        if info.st_size > most:
            shown, limit = sizes(info.st_size, most)
            return Unread("refused", f"the file is {shown}; the limit is {limit}; it was not read")
        chunks, size = [], 0
        while size <= most and (chunk := os.read(opened, most + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return Unread("refused", f"cannot be read: {error.strerror or error}")
    finally:
        os.close(opened)
    return b"".join(chunks) if size <= most else Unread("refused", "the file changed while it was read")


def declared_only(submission: Submission) -> tuple[EvidenceRecord, ...]:
    """Every declared file, unread (`--no-evidence`)."""
    return tuple(
        EvidenceRecord(
            pointer=e.pointer,
            path=e.path,
            entry=e.entry,
            kind=e.kind,
            declared_sha256=e.declared.lower() if e.declared else None,
            actual_sha256=None,
            status="not_checked",
            reason="evidence files were not read (--no-evidence)",
        )
        for e in _entries(submission)
    )


def refused_unread(submission: Submission, reason: str) -> tuple[EvidenceRecord, ...]:
    """Every declared file, refused without being read, for `reason` (a card with no folder of its own)."""
    return tuple(
        record.model_copy(update={"status": "refused", "reason": reason}) for record in declared_only(submission)
    )


def same_path(declared: str) -> str:
    """The file a declared path names, written one way: `x`, `./x` and `evidence//x` alike (a refused path as it is)."""
    names = _names(declared)
    return declared if isinstance(names, Unread) else "/".join(names)


def declarer(record: EvidenceRecord) -> str:
    """The pointer of the entry that declares a file: '/evaluations/3' for '/evaluations/3/evidence/0'."""
    return "/".join(record.pointer.split("/")[:3])


def empty(record: EvidenceRecord) -> bool:
    """Whether a declared file holds nothing: read and found empty, or, unread, declared with the empty file's sha256."""
    return record.status == "empty" or (record.status == "not_checked" and record.declared_sha256 == EMPTY_SHA256)


def holding_nothing(records: Iterable[EvidenceRecord]) -> set[str]:
    """The entries (their pointers, as `declarer` gives them) whose every declared file is empty."""
    holding: dict[str, bool] = {}
    for record in records:
        holding[declarer(record)] = holding.get(declarer(record), False) or not empty(record)
    return {entry for entry, anything in holding.items() if not anything}


def counted_samples(records: Iterable[EvidenceRecord]) -> list[EvidenceRecord]:
    """The records whose raw samples stand for their evaluation's counts, in card order.

    The files an evaluation declares as raw samples; when it declares none, those of its files that
    hold raw samples whatever their kind, unless another evaluation declares them as its raw samples
    (a transcripts file that repeats the declared samples, or a dataset of another evaluation's
    samples, is read by the evaluation that cites it, not counted as its run).
    """
    records = [r for r in records if r.pointer.startswith(EVALUATIONS)]
    declaring = {r.entry for r in records if r.kind == "raw_samples"}
    declared = {r.actual_sha256 or r.declared_sha256 for r in records if r.kind == "raw_samples"} - {None}
    return [
        r
        for r in records
        if r.kind == "raw_samples"
        or (r.recounted is not None and r.entry not in declaring and r.actual_sha256 not in declared)
    ]


def recounted(records: tuple[EvidenceRecord, ...]) -> dict[str, dict[str, tuple[int, int]]]:
    """Evaluation id -> context -> (n, count), summed over its distinct raw-samples files that were read cleanly.

    A file counts once for an evaluation, however often and under whatever spelling or name the
    evaluation declares it: files are told apart by their sha256 (one file holds the same bytes under
    any name, and two files of the same bytes hold the same samples). A file whose hash does not
    match is not the declared file: its counts are not used.
    """
    totals: dict[str, dict[str, list[int]]] = {}
    seen: set[tuple[str, str | None]] = set()
    for record in counted_samples(records):
        if record.recounted is None or (record.entry, record.actual_sha256) in seen:
            continue
        seen.add((record.entry, record.actual_sha256))
        arms = totals.setdefault(record.entry, {})
        for arm in record.recounted:
            pair = arms.setdefault(arm.context, [0, 0])
            pair[0] += arm.n
            pair[1] += arm.count
    return {entry: {c: (n, k) for c, (n, k) in arms.items()} for entry, arms in totals.items()}
