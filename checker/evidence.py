"""Evidence files: confined to the card's folder, hashed as they stream, raw samples recounted.

A declared path is refused, before anything is opened, when it is absolute, uses
`..`, or resolves (through symbolic links) outside the card's folder. What remains is opened
without following a final link and without blocking, and read only if it is a regular file:
never a device, a pipe or a socket. Each file is read once, in chunks, for its sha256 and, for
`raw_samples`, for the count of every context (JSON Lines, one `{"context", "outcome"}` a
line): memory stays the same whatever the file's size.

`verify(submission, folder)` gives one EvidenceRecord per declared file; `recounted(records)`
the counts that replace the declared arms where raw samples were read cleanly. (For a card
file, `checker.pipeline.verify_evidence(card_path)` loads and validates it first.)
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal, get_args

from checker.model import Context, Submission
from checker.report import EvidenceRecord, MalformedLine, RecountedArm

CHUNK = 1 << 20
"""Bytes read at a time."""
MALFORMED_SHOWN = 5
"""Malformed lines quoted by number; the rest are counted."""
MAX_LINE = 16 << 20
"""Longest raw-samples line read, in bytes: a longer one is malformed, and skipped without being held."""
CONTEXTS = frozenset(get_args(Context))
_DECODER = json.JSONDecoder()
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
"""The decoder's scanner, called on each line of text decoded once a chunk: json.loads on each
line's bytes takes five times as long. A line it cannot take whole is read again, slowly, by _one."""


@dataclass(frozen=True)
class _Entry:
    pointer: str
    path: str
    declared: str | None
    kind: str | None
    entry: str
    """The id of the evaluation or audit that declares the file."""


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


def confine(folder: Path, declared: str) -> tuple[str | None, str]:
    """(why the declared path may not be read, or None; the path it resolves to). Opens nothing.

    The resolved path is the one to read: every symbolic link in it is already followed, and it
    stays inside `folder` unless a reason is given.
    """
    if not declared or "\x00" in declared:
        return "an empty path or one holding a NUL character", ""
    if PurePosixPath(declared).is_absolute() or PureWindowsPath(declared).drive or declared.startswith("\\"):
        return "an absolute path; evidence paths are relative to the card's folder", ""
    if ".." in PurePosixPath(declared.replace("\\", "/")).parts:
        return "uses '..'; evidence paths may not step up a folder", ""
    base = os.path.realpath(folder)
    real = os.path.realpath(os.path.join(base, declared))
    if os.path.commonpath([base, real]) != base:
        return "leads out of the card's folder through a symbolic link", ""
    return None, real


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
        if self.too_long:
            self.line += 1
            self._malformed(f"longer than {MAX_LINE >> 20} MiB")
            self.too_long = False
        else:
            self._one(b"".join(self.pending))
        self.pending, self.pending_size = [], 0

    def _lines(self, block: bytes) -> None:
        """Whole lines of one chunk, without the last newline: decoded at once, then scanned one by one."""
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:  # a line that is not UTF-8 is decoded (and refused) on its own
            for raw in block.split(b"\n"):
                self._one(raw)
            return
        counts: dict[tuple[str, bool], int] = {}  # a plain dict: a Counter's += takes twice as long
        for line in text.split("\n"):
            try:
                sample, end = _SCAN(line, 0)
            except (StopIteration, ValueError, RecursionError):
                sample, end = None, -1
            if end == len(line) and type(sample) is dict:
                context, outcome = sample.get("context"), sample.get("outcome")
                if (outcome is True or outcome is False) and type(context) is str and context in CONTEXTS:
                    self.line += 1
                    counts[context, outcome] = counts.get((context, outcome), 0) + 1
                    continue
            self._one(line)  # whitespace around it, a byte-order mark, blank, or malformed: the careful reading
        self.counts.update(counts)

    def _one(self, raw: str | bytes) -> None:
        self.line += 1
        problem = None
        try:
            text = raw if isinstance(raw, str) else raw.decode("utf-8")
            # A byte-order mark (json.loads drops one from bytes), then JSON's own whitespace.
            text = text.removeprefix("\ufeff").strip(" \t\r\n")
            if not text.strip("\x0b\x0c"):  # blank: every ASCII space, as bytes.strip() sees it
                return
            sample, end = _DECODER.raw_decode(text)
            if end != len(text):
                raise ValueError("extra data")
        except RecursionError:
            problem = "nested too deeply"
        except ValueError:  # UnicodeDecodeError and JSONDecodeError are both ValueErrors
            problem = "not a JSON value"
        else:
            if not isinstance(sample, dict):
                problem = "not a JSON object"
            elif not isinstance(context := sample.get("context"), str) or context not in CONTEXTS:
                problem = f"'context' is {json.dumps(sample.get('context'))[:40]}, not a known context"
            elif not isinstance(outcome := sample.get("outcome"), bool):
                problem = f"'outcome' is {json.dumps(outcome)[:40]}, not true or false"
            else:
                self.counts[(context, outcome)] += 1
        if problem is not None:
            self._malformed(problem)

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


def hash_and_recount(path: str, raw_samples: bool) -> tuple[str, _Recount | None] | str:
    """(sha256, recount) of a regular file, or why it could not be read. One pass, constant memory."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"cannot be opened: {error.strerror or error}"
    # Checked on the open descriptor, before wrapping it (a folder cannot even be wrapped).
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return "not a regular file (device, pipe, socket or folder)"
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        digest = hashlib.sha256()
        recount = _Recount() if raw_samples else None
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if recount is not None:
                recount.feed(chunk)
        if recount is not None:
            recount.close()
    return digest.hexdigest(), recount


@dataclass(frozen=True)
class Unread:
    """Why a declared evidence file was not read."""

    status: Literal["missing", "refused"]
    reason: str


def read_declared(folder: Path, declared: str, raw_samples: bool) -> tuple[str, _Recount | None] | Unread:
    """(sha256, recount when `raw_samples`) of the declared file in the card's `folder`, or why it was not read.

    The one place where a declared path becomes a file read: the check and batch's record of
    what a check read (to know when to check again) both come through here.
    """
    reason, real = confine(folder, declared)
    if reason is not None:
        return Unread("refused", reason)
    result = hash_and_recount(real, raw_samples)
    if result == "missing":
        return Unread("missing", "no such file")
    if isinstance(result, str):
        return Unread("refused", result)
    return result


def _check(folder: Path, entry: _Entry) -> EvidenceRecord:
    declared = entry.declared.lower() if entry.declared else None
    record = {
        "pointer": entry.pointer,
        "path": entry.path,
        "entry": entry.entry,
        "kind": entry.kind,
        "declared_sha256": declared,
    }
    result = read_declared(folder, entry.path, entry.kind == "raw_samples")
    if isinstance(result, Unread):
        return EvidenceRecord(**record, actual_sha256=None, status=result.status, reason=result.reason)
    actual, recount = result
    if declared is not None and actual != declared:
        return EvidenceRecord(
            **record, actual_sha256=actual, status="mismatch", reason="the file's sha256 differs from the declared one"
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


def verify(submission: Submission, folder: Path) -> tuple[EvidenceRecord, ...]:
    """Every declared evidence file and audit report, checked against `folder` (the card's)."""
    return tuple(_check(folder, entry) for entry in _entries(submission))


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


def recounted(records: tuple[EvidenceRecord, ...]) -> dict[str, dict[str, tuple[int, int]]]:
    """Evaluation id -> context -> (n, count), summed over its raw-samples files that were read cleanly.

    A file whose hash does not match is not the declared file: its counts are not used.
    """
    totals: dict[str, dict[str, list[int]]] = {}
    for record in records:
        if record.recounted is None:
            continue
        arms = totals.setdefault(record.entry, {})
        for arm in record.recounted:
            pair = arms.setdefault(arm.context, [0, 0])
            pair[0] += arm.n
            pair[1] += arm.count
    return {entry: {c: (n, k) for c, (n, k) in arms.items()} for entry, arms in totals.items()}
