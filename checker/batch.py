"""Batch: every card under a folder, checked in worker processes, one report folder per card.

A regulator's folder of submissions goes in; out come `OUT/cards/<card>/report.<ext>` for each
card and format, plus a summary at the top of OUT (`summary.csv`, `summary.json`, `index.html`):
card names come from the submissions, so they never share a folder with the summary's files.
The steps, plain data between them:

- `discover(root)`: the cards under a folder. A folder holding `card.yaml` (`.yml`, `.json`,
  `.md`) is one submission, its evidence beside it, and is not searched further; elsewhere a
  `.yaml`, `.yml` or `.json` file is a bare card, and a `.md` file is one when it opens with
  YAML front matter (a README is not a card). Hidden entries are skipped; a link, pipe, device
  or socket is listed as a broken card, never followed or opened, and so is a folder that
  cannot be listed (too deep for the system, say).
- `check_one(found, settings)`: checks one card and writes its reports, each atomically; a
  broken card becomes a row with its error, never an exception. A card reads only its own
  submission: a bare card, a submission of one file, reads no evidence (its declared files are
  refused). A card whose input (card, evidence files, profile, formats, checker and catalog
  versions, a digest of the checker's own code and data) has not changed since the last run is
  not checked again: its reports are kept (the row says "unchanged"). Either way its folder ends
  holding this run's reports and no others.
- `run(found, settings, jobs, bounds, progress)`: all of them, in `jobs` worker processes
  (`checker.workers`), each card bounded in time and memory: a card over a bound, or whose
  worker dies, is a row saying why, and the others are checked.
- `run_batch(...)`: `run`, then the summary of its rows, with OUT locked against other batches
  throughout; under the lock it first removes the last summary (it would describe reports that
  are changing) and the temporary files of a killed batch, and at the end the reports of cards
  no longer submitted. Only files a batch writes are ever removed, and then the folders of
  departed cards left empty.

Workers ignore SIGINT: on Ctrl-C the parent stops handing out cards, lets each worker finish
the card it holds (its files are whole), and raises BatchInterrupted (a KeyboardInterrupt), with
no summary. The per-card state is written after the reports, so a rerun redoes exactly the cards
that were not finished.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import signal
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from checker import __version__
from checker.evidence import EvidenceLimits, Hashes, hash_declared
from checker.load import FileRead
from checker.output import OutputRefused, check_output_folder, is_temporary, write_atomically
from checker.problems import CardError, UsageError
from checker.profiles import Profile
from checker.render import FORMATS, Format
from checker.report import EvidenceRecord, Report
from checker.resources import data_dir
from checker.severity import FailOn
from checker.summary import Row, Summary, SummaryRow, Totals
from checker.terminal import path_text
from checker.workers import DEFAULT_BOUNDS, Bounds, Lost, Pool

CARD_NAMES = ("card.yaml", "card.yml", "card.json", "card.md")
"""A folder holding one of these is one submission."""
BARE_SUFFIXES = (".yaml", ".yml", ".json", ".md")
LINKED = "a symbolic link; batch does not follow links"
"""Why a card or folder that is a link is listed, not checked."""
STATE = ".safetycase-state.json"
"""Per card, beside its reports: the input fingerprint, the evidence hashes and the summary row of the last run."""


@dataclass(frozen=True)
class Found:
    """A card to check: its report folder's name (relative, '/'-separated) and its file, or why it cannot be."""

    name: str
    path: Path
    problem: str | None = None
    folder: Path | None = None
    """The submission's folder, which holds its evidence; None for a bare card, which is a submission of one file."""


def _front_matter(path: Path) -> bool:
    """Whether a regular file opens with a YAML front matter line. Opened without blocking or following a
    link, and read only once it is known to be a regular file: a pipe named `*.md` must not hang discovery."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return True  # unreadable: listed, so that the check says why
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return True  # swapped since it was looked at: listed, and refused when checked
        return os.read(descriptor, 4).rstrip(b"\r\n") == b"---"
    except OSError:
        return True
    finally:
        os.close(descriptor)


def discover(root: Path, exclude: Path | None = None) -> list[Found]:
    """The cards under `root`, sorted by name. `exclude` (the output folder, say) is not searched.

    Nothing is opened but a regular `.md` file, for its first line: every entry is looked at
    (lstat) first, and a link, pipe, device or socket is listed with its problem. So is a folder
    that cannot be looked at or listed (a name too long for the system, say): every submission
    is on the summary, checked or with the reason it could not be.
    """
    found: list[Found] = []
    skip = os.path.realpath(exclude) if exclude is not None else None

    def unlisted(error: OSError) -> None:
        folder = Path(error.filename)
        found.append(Found(_name(root, folder), folder, f"could not be checked: {error.strerror or error}"))

    for folder, dirs, files in os.walk(root, onerror=unlisted, followlinks=False):
        here = Path(folder)
        prefix = "" if here == root else _name(root, here) + "/"
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and os.path.realpath(here / d) != skip)
        visible = sorted(f for f in files if not f.startswith("."))
        cards = [name for name in CARD_NAMES if name in visible]
        if cards:
            problem = None
            if len(cards) > 1:
                problem = f"{len(cards)} cards in one folder ({', '.join(cards)}); keep one"
            found.append(_regular(Found(_name(root, here), here / cards[0], problem, folder=here)))
            dirs[:] = []  # a submission's folder holds its evidence, not more cards
            continue
        for entry in visible:
            path = here / entry
            if path.suffix.lower() not in BARE_SUFFIXES:
                continue
            card = _regular(Found(prefix + entry, path))
            if path.suffix.lower() == ".md" and card.problem is None and not _front_matter(path):
                continue
            found.append(card)
        for d in list(dirs):  # links to folders are listed, not followed
            problem = _not_a_folder(here / d)
            if problem is not None:
                found.append(Found(prefix + d, here / d, problem))
                dirs.remove(d)
    return _shown(found)


def _name(root: Path, folder: Path) -> str:
    """The name of a card folder under `root`: its relative path, or the root's own name for the root."""
    relative = folder.relative_to(root).as_posix()
    return relative if relative != "." else (root.resolve().name or "card")


def _not_a_folder(path: Path) -> str | None:
    """Why discovery does not enter a folder found in a listing (a link to one), or None when it does."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as error:
        return f"could not be checked: {error.strerror or error}"
    return LINKED if stat.S_ISLNK(mode) else None


def _shown(found: list[Found]) -> list[Found]:
    """The cards sorted by their names as any output can hold them (`path_text`: `lab\\xff`), which name their report folders.

    A submission named with a byte that is not UTF-8 and one named with its escape would then share
    a report folder: neither is checked, rather than one's reports standing as the other's.
    """
    shown = [replace(card, name=path_text(card.name)) for card in found]
    alike = Counter(card.name for card in shown)
    return sorted(
        (
            replace(card, problem=f"its name reads as {card.name}, as another submission's does; rename one")
            if alike[card.name] > 1
            else card
            for card in shown
        ),
        key=lambda card: card.name,
    )


def _regular(found: Found) -> Found:
    if found.problem is not None:
        return found
    try:
        mode = os.lstat(found.path).st_mode
    except OSError as error:
        return replace(found, problem=f"cannot be read: {error.strerror or error}")
    if stat.S_ISLNK(mode):
        return replace(found, problem=LINKED)
    if not stat.S_ISREG(mode):
        return replace(found, problem="not a regular file")
    return found


# --- one card ----------------------------------------------------------------------------------


@cache
def _checker_digest() -> str:
    """sha256 of the checker's own code and data (its .py files; schemas, catalog, profiles, templates), once a process
    (the one that makes the Settings).

    A fix need not change the version: a checker that could check a card differently checks it again.
    """
    package = Path(__file__).parent
    files = [(path.relative_to(package).as_posix(), path.read_bytes()) for path in sorted(package.rglob("*.py"))]
    for folder in ("schema", "templates"):
        files += _files_under(data_dir(folder), folder)
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(f"{name}\0{len(content)}\0".encode() + content)
    return digest.hexdigest()


def _files_under(folder: Traversable, name: str) -> list[tuple[str, bytes]]:
    """Every file under a data folder, by its path from `name`, in order."""
    found: list[tuple[str, bytes]] = []
    for child in sorted(folder.iterdir(), key=lambda child: child.name):
        path = f"{name}/{child.name}"
        found += _files_under(child, path) if child.is_dir() else [(path, child.read_bytes())]
    return found


@dataclass(frozen=True)
class Settings:
    out: Path
    profile: Profile
    formats: tuple[Format, ...]
    today: dt.date
    evidence: bool = True
    force: bool = False
    code: str = field(default_factory=_checker_digest)
    """The digest of the checker's own code and data, made once where the settings are (the workers are given it)."""


CARDS = "cards"
"""The folder in the output folder that holds one report folder per card: `OUT/cards/<name>/`. Card names
come from the submissions, so they live apart from the summary's files at the top of OUT."""
BARE_CARD = (
    "a bare card in a batch has no folder of its own; submit the card as <folder>/card.yaml with its evidence beside it"
)
"""Why a bare card's evidence is not read: the folder it sits in holds the other labs' submissions."""


def _folder(settings: Settings, found: Found) -> Path:
    return settings.out / CARDS / found.name


def _report_name(fmt: Format) -> str:
    return f"report.{fmt.extension}"


def _ours(name: str) -> bool:
    """Whether a file in a card's folder is one a batch writes: a report of a known format, the state, a temporary file.

    Only these are ever removed from it.
    """
    return name == STATE or is_temporary(name) or name in {_report_name(fmt) for fmt in FORMATS.values()}


def _evidence_digest(card: FileRead, paths: list[str], settings: Settings, hashes: Hashes) -> list[list[str]]:
    """Each declared evidence path with its sha256, or 'missing' or 'refused': what a check of `card` would read.

    Within the profile's limits, as the check reads; a file whose stamp is the one the last run
    kept is not read again (evidence.Hashes says why that is safe).
    """
    found = hash_declared(card, paths, EvidenceLimits.of(settings.profile), hashes)
    return [[declared, digest] for declared, digest in zip(paths, found, strict=True)]


def _digest_of(records: Iterable[EvidenceRecord]) -> list[list[str]]:
    """The same digest, from what the check read (so that no file is read twice)."""
    return [
        [record.path, record.actual_sha256 or ("missing" if record.status == "missing" else "refused")]
        for record in records
    ]


def _fingerprint(card_sha256: str, evidence: list[list[str]] | str | None, settings: Settings) -> str:
    from checker.catalog import load_catalog

    data = {
        "checker": __version__,
        "code": settings.code,
        "catalog": load_catalog().sha256,
        "profile": settings.profile.model_dump(mode="json"),
        "formats": sorted(fmt.name for fmt in settings.formats),
        "card": card_sha256,
        "evidence": evidence,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def _evidence_state(
    found: Found, settings: Settings, digest: Callable[[], list[list[str]]]
) -> list[list[str]] | str | None:
    """The evidence part of a card's fingerprint: None when evidence files are not read (--no-evidence),
    why a bare card's are not, or else `digest()` of the submission's evidence (asked only then)."""
    if not settings.evidence:
        return None
    if found.folder is None:
        return BARE_CARD
    return digest()


def _previous(state_file: Path) -> dict[str, object] | None:
    try:
        data = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _unchanged(
    found: Found, settings: Settings, card: FileRead, card_sha256: str, state: dict[str, object] | None
) -> Row | None:
    """The last run's row (from its `state`), if this card's input is as it was then and its reports are all there."""
    if settings.force:
        return None
    listed = state.get("evidence_paths") if state is not None else None
    if state is None or not isinstance(listed, list):
        return None
    paths = [str(p) for p in listed]
    kept = _kept_hashes(state)
    evidence = _evidence_state(found, settings, lambda: _evidence_digest(card, paths, settings, kept))
    if state.get("fingerprint") != _fingerprint(card_sha256, evidence, settings):
        return None
    try:
        row = Row.model_validate(state.get("row"))
    except ValueError:
        return None
    if not all((settings.out / report).is_file() for report in row.reports.values()):
        return None
    return row.model_copy(update={"status": "unchanged" if row.status != "error" else "error"})


def _kept_hashes(state: dict[str, object] | None) -> Hashes:
    """The evidence hashes the last run kept: an unchanged file is not hashed again."""
    return Hashes(state.get("hashes") if state is not None else None)


def _evidence_summary(report: Report) -> str:
    if not report.evidence:
        return "none declared"
    if not report.evidence_verified:
        return f"{len(report.evidence)} not read"
    return ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in report.evidence_statuses().items())


def _checked_row(found: Found, report: Report, reports: dict[str, str]) -> Row:
    return Row(
        name=found.name,
        card=path_text(found.path),
        status="checked",
        organization=report.submission.organization,
        model=report.submission.model,
        release_id=report.submission.release_id,
        verdict=report.verdict.value,
        score=report.score,
        pass_score=report.pass_score,
        areas={area.id: area.score for area in report.areas},
        blocker=report.counts.blocker,
        major=report.counts.major,
        minor=report.counts.minor,
        evidence=_evidence_summary(report),
        reports=reports,
    )


def _error_row(found: Found, message: str) -> Row:
    return Row(name=found.name, card=path_text(found.path), status="error", error=path_text(message))


def _remove(path: Path) -> None:
    """Remove a file a batch wrote, if it is there; OutputRefused if it cannot be.

    A name too long for the system holds no file, so there is none to remove.
    """
    try:
        path.unlink()
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            return
        raise OutputRefused(f"cannot remove {path}: {error.strerror or error}") from None


def _listing(folder: Path) -> list[str]:
    """The names in a card's report folder; none when it is not there (or its name is too long to be); OutputRefused
    when it cannot be listed."""
    try:
        return os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            return []
        raise OutputRefused(f"cannot list {folder}: {error.strerror or error}") from None


def _keep_only(folder: Path, formats: Iterable[Format]) -> None:
    """Remove the reports of every other format from a card's report folder, so that it holds this run's only.

    Only the files named as reports are removed: nothing else in the folder is touched.
    """
    kept = set(formats)
    for fmt in FORMATS.values():
        if fmt not in kept:
            _remove(folder / _report_name(fmt))


def _failed(found: Found, settings: Settings, message: str) -> Row:
    """The row of a card that could not be checked; its folder loses the reports and state of any earlier run,
    and the temporary files of a worker killed while it wrote one."""
    folder = _folder(settings, found)
    try:
        for name in filter(_ours, _listing(folder)):
            _remove(folder / name)
    except OutputRefused as refused:
        message += f"; and {refused}"
    return _error_row(found, message)


def _write_reports(folder: Path, report: Report, settings: Settings) -> dict[str, str]:
    """Write the card's report in each format (and only those): format -> file, relative to the output folder."""
    _keep_only(folder, settings.formats)
    reports = {}
    for fmt in settings.formats:
        target = folder / _report_name(fmt)
        write_atomically(target, fmt.render(report))
        reports[fmt.name] = target.relative_to(settings.out).as_posix()
    return reports


def check_one(found: Found, settings: Settings) -> Row:
    """Check one card and write its reports; any problem with the card becomes the row's error.

    The card is read once, within the loader's limits and never through a link or from a pipe:
    the bytes hashed for the fingerprint are the bytes checked. Whatever happens, the card's
    folder ends holding the reports of this run only.
    """
    from checker.load import read_regular
    from checker.pipeline import check_file

    try:
        _real_folders(settings, found)
    except OutputRefused as refused:
        return _error_row(found, str(refused))
    if found.problem is not None:
        return _failed(found, settings, f"{found.path}: {found.problem}")
    try:
        read = read_regular(found.path, what="card", follow_links=False)
    except CardError as error:
        return _failed(found, settings, _problems(error))
    card_sha256 = hashlib.sha256(read.raw).hexdigest()
    folder = _folder(settings, found)
    state_file = folder / STATE
    previous = _previous(state_file)
    row = _unchanged(found, settings, read, card_sha256, previous)
    if row is not None:
        try:
            _keep_only(folder, settings.formats)
        except OutputRefused as refused:
            return _failed(found, settings, str(refused))
        return row
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return _error_row(found, f"cannot write {folder}: {error.strerror or error}")
    hashes = Hashes() if settings.force else _kept_hashes(previous)  # --force reads everything
    state_file.unlink(missing_ok=True)  # written again last: an interrupted card is redone
    records: tuple[EvidenceRecord, ...] = ()
    try:
        report = check_file(
            found.path,
            settings.profile,
            today=settings.today,
            evidence=settings.evidence,
            hashes=hashes,
            read=read,
            no_folder=None if found.folder is not None else BARE_CARD,
        )
    except CardError as error:  # a card that broke must not keep the reports of its last version
        row = _failed(found, settings, _problems(error))
    else:
        try:
            reports = _write_reports(folder, report, settings)
        except OutputRefused as refused:
            return _failed(found, settings, str(refused))
        row = _checked_row(found, report, reports)
        records = report.evidence
    evidence = _evidence_state(found, settings, lambda: _digest_of(records))
    state = {
        "fingerprint": _fingerprint(card_sha256, evidence, settings),
        "evidence_paths": [record.path for record in records],
        "hashes": hashes.state(),
        "row": row.model_dump(mode="json"),
    }
    # Not durable (two fsyncs a card spared): the reports are on disk before it, and a state that a
    # crash empties or loses only means that the card is checked again.
    with contextlib.suppress(OutputRefused):  # the reports stand; the card is simply checked again next time
        write_atomically(state_file, json.dumps(state, indent=1, sort_keys=True) + "\n", durable=False)
    return row


def _problems(error: CardError) -> str:
    """A card's problems on one line: the first three, and how many more."""
    return "; ".join(str(p) for p in error.problems[:3]) + _more(len(error.problems) - 3)


def _more(n: int) -> str:
    return f"; and {n} more problem{'s' if n != 1 else ''}" if n > 0 else ""


# --- all cards ---------------------------------------------------------------------------------


def _guarded(found: Found, settings: Settings) -> Row:
    """check_one, with a bug in the checker reported on its card's row instead of ending the batch."""
    try:
        return check_one(found, settings)
    except MemoryError:
        raise  # the card is over its memory bound: the worker says so
    except Exception as error:
        return _error_row(
            found, f"internal error ({type(error).__name__}: {error}); this is a bug in safetycase, please report it"
        )


def _lost_row(found: Found, lost: Lost, settings: Settings, bounds: Bounds) -> Row:
    """The row of a card that gave no result: why, with the bound it went over and the option that sets it.

    Its folder loses what its worker may have left (the reports of an earlier run, half a report).
    """
    if lost.cause == "time":
        why = f"took longer than {bounds.seconds:g} s (--card-timeout)"
    elif lost.cause == "memory":
        why = f"needed more than {bounds.mebibytes} MiB (--card-memory)"
    elif lost.exitcode is not None and lost.exitcode < 0:
        why = f"the worker process checking it was killed by {_signal_name(-lost.exitcode)}"
    else:
        why = f"the worker process checking it ended with exit code {lost.exitcode}"
    return _failed(found, settings, f"{found.path}: {why}")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _preload(settings: Settings) -> tuple[str, ...]:
    """What every worker needs, imported once in the forkserver: the pipeline and the text formats' renderers.

    Not WeasyPrint's (the PDF's): its half second is paid by the workers only when a PDF is asked for.
    """
    return ("checker.batch", "checker.pipeline", *(fmt.module for fmt in settings.formats if not fmt.binary))


def run(
    found: list[Found],
    settings: Settings,
    *,
    jobs: int,
    bounds: Bounds = DEFAULT_BOUNDS,
    progress: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Check every card in up to `jobs` worker processes, each card within `bounds`; rows in the order of `found`.

    Always in worker processes, `--jobs 1` too: a card is bounded however the batch is run. A card
    over a bound, or whose worker died, is an error row saying why, and the batch goes on. On
    KeyboardInterrupt, no new card is started, the cards in hand are finished, and the interrupt
    propagates.
    """
    rows: dict[int, Row] = {}

    def done(index: int, outcome: Row | Lost) -> None:
        row = outcome if isinstance(outcome, Row) else _lost_row(found[index], outcome, settings, bounds)
        rows[index] = row
        if progress is not None:
            progress(row)

    with Pool(_guarded, settings, workers=jobs, bounds=bounds, preload=_preload(settings)) as pool:
        pool.map(found, done)
    return [rows[index] for index in range(len(found))]


# --- the summary -------------------------------------------------------------------------------


def summarize(rows: list[Row], settings: Settings, *, root: Path, fail_on: FailOn) -> Summary:
    from checker.catalog import load_catalog

    catalog = load_catalog()
    cards = tuple(SummaryRow(**row.model_dump(), gate="fail" if row.fails_gate(fail_on) else "pass") for row in rows)
    verdicts = {v: sum(row.verdict == v for row in rows) for v in ("pass", "conditional", "fail")}
    return Summary(
        checker={"name": "safetycase", "version": __version__},
        catalog={"version": catalog.version, "sha256": catalog.sha256},
        profile={"name": settings.profile.name, "source": settings.profile.source},
        generated_on=settings.today,
        root=path_text(root),
        formats=tuple(fmt.name for fmt in settings.formats),
        fail_on=fail_on.value,
        areas={area.id: area.title for area in catalog.areas},
        totals=Totals(
            cards=len(rows),
            verdicts=verdicts,
            errors=sum(row.status == "error" for row in rows),
            gate_failed=sum(card.gate == "fail" for card in cards),
            checked=sum(row.status == "checked" for row in rows),
            unchanged=sum(row.status == "unchanged" for row in rows),
        ),
        cards=cards,
    )


# --- the whole batch -----------------------------------------------------------------------------

SUMMARY_FILES = ("summary.json", "summary.csv", "index.html")
"""What the batch writes at the top of the output folder, after the cards."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C while the cards were checked: `finished` of `total` cards have whole reports; no summary was written."""

    def __init__(self, finished: int, total: int) -> None:
        super().__init__(finished, total)
        self.finished, self.total = finished, total


def check_folders(folder: Path, out: Path) -> None:
    """Refuse a submissions folder that is not one, or an output folder that is not one or holds it (UsageError)."""
    try:
        if not folder.is_dir():
            raise UsageError(f"{folder}: no such folder")
    except OSError as error:  # a name too long, say: the path cannot even be looked at
        raise UsageError(f"{folder}: {error.strerror or error}") from None
    try:
        root, target = folder.resolve(), out.resolve()
        if target == root or target in root.parents:
            raise UsageError(f"--out {out} holds the submissions folder {folder}; give a folder outside it")
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise UsageError(f"--out {out} is not a folder")
    except OSError as error:
        raise UsageError(f"cannot write {out}: {error.strerror or error}") from None


def cards_to_check(folder: Path, out: Path) -> list[Found]:
    """The cards under `folder` (not under `out`), with `out` made ready for their reports; UsageError when none."""
    found = discover(folder, exclude=out)
    if not found:
        raise UsageError(
            f"no cards under {folder} (a folder with card.yaml, card.json or card.md, or bare .yaml/.json files)"
        )
    check_output_folder(
        out, (card.folder for card in found if card.folder is not None)
    )  # a bare card reads no other file
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write {out}: {error.strerror or error}") from None
    return found


def _cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one, else all of them)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def workers(jobs: int | None) -> int:
    """The worker processes to use: `jobs`, or one per core this process may run on, and never more than that.

    More workers than cores would only take turns on them, each holding a card's memory meanwhile.
    """
    return _cores() if jobs is None else min(jobs, _cores())


def jobs_note(jobs: int | None) -> str | None:
    """What to tell a user whose --jobs is more than the workers the batch will use; None when it is not."""
    if jobs is None or workers(jobs) == jobs:
        return None
    return f"--jobs {jobs}: using {workers(jobs)}, the cores available"


LOCK = ".safetycase-lock"
"""In the output folder: locked (flock) by the batch writing the folder, from its first write to its summary."""


@contextlib.contextmanager
def _holding(out: Path) -> Iterator[None]:
    """The output folder, locked against other batches while the body writes it; UsageError if one holds it.

    Two batches writing one folder (two profiles, say) would leave one's reports under the
    other's state, taken for unchanged on the next run. The lock is an flock on LOCK: the kernel
    releases it when its holder ends, however it ends (kill -9 too), so it is never left behind.
    The holder's pid is written in the file, for the message another batch gives. A link, a pipe or
    anything but a regular file planted as LOCK is refused, never followed or waited on.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a pipe planted there must not block
    try:
        out.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(out / LOCK, flags, 0o666)
    except OSError as error:
        raise UsageError(f"cannot write {out / LOCK}: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:  # a hard link: the pid would be written over its file
            raise UsageError(f"{out / LOCK} is not a regular file of its own (a batch's lock file); remove it")
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"{out} is being written by another safetycase batch ({_holder(descriptor)}); "
                "wait for it or choose another --out"
            ) from None
        except OSError as error:
            raise UsageError(f"cannot lock {out / LOCK}: {error.strerror or error}") from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(descriptor)  # and with it the lock


def _holder(descriptor: int) -> str:
    """'pid N' of the batch holding the lock, as it wrote it (not yet written: 'pid unknown')."""
    written = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return f"pid {written}" if written.isdigit() else "pid unknown"


def _real_folder(folder: Path) -> None:
    """Refuse (OutputRefused) a report folder that is a link or not a folder: reports written through a link
    to a folder would land outside OUT, and its tidying would remove files there."""
    try:
        mode = os.lstat(folder).st_mode
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENAMETOOLONG):
            return  # not there yet (made when the card's reports are written), or a name too long to be
        raise OutputRefused(f"cannot write {folder}: {error.strerror or error}") from None
    if not stat.S_ISDIR(mode):
        raise OutputRefused(
            f"{folder} is not a folder (a link, say); remove it, batch writes only into its own folders"
        )


def _real_folders(settings: Settings, found: Found) -> None:
    """Refuse (OutputRefused) a card whose report folder, or a folder on the way to it, is a link."""
    folder = settings.out / CARDS
    for part in found.name.split("/"):
        folder /= part
        _real_folder(folder)


def _report_folders(out: Path) -> Iterator[tuple[Path, list[str]]]:
    """Every folder under OUT/cards, deepest first, with the names of the files in it."""
    for folder, _, files in os.walk(out / CARDS, topdown=False):
        yield Path(folder), files


def _remove_temporaries(out: Path) -> None:
    """Remove the temporary files that a batch killed while writing left behind, here and in every card's folder.

    Only write_atomically's own (output.is_temporary): any other file stays.
    """
    with os.scandir(out) as entries:
        top = [entry.name for entry in entries if entry.is_file(follow_symlinks=False)]
    for folder, files in [(out, top), *_report_folders(out)]:
        for name in files:
            if is_temporary(name):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()


def _remove_departed(found: list[Found], settings: Settings) -> None:
    """Remove the reports of cards no longer among the submissions: OUT holds no report the summary does not list.

    A departed card's folder is known by its state file. Only what a batch writes is removed
    from it (reports, state, temporary files); then every folder left empty goes. A folder
    that holds anything else keeps it.
    """
    current = {_folder(settings, card) for card in found}
    for folder, files in _report_folders(settings.out):
        if folder in current:
            continue
        if STATE in files:
            for name in filter(_ours, files):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
        with contextlib.suppress(OSError):  # not empty: something of the user's is in it
            folder.rmdir()


def run_batch(
    found: list[Found],
    settings: Settings,
    *,
    root: Path,
    jobs: int | None,
    fail_on: FailOn,
    bounds: Bounds = DEFAULT_BOUNDS,
    progress: Callable[[Row], None] | None = None,
) -> Summary:
    """Check every card, then write the summary files: the batch, from found cards to `index.html`.

    The output folder is locked for the whole batch (UsageError if another batch holds it). It
    is tidied under the lock: the last summary first (an interrupted batch leaves none rather than
    one describing reports it changed), temporary files left by a killed batch next, and the
    reports of cards that are gone last. OUT/cards must be a folder, not a link (UsageError). Ctrl-C while the cards are checked: the cards in hand are finished,
    no summary is written, and BatchInterrupted says how many cards were done. The summary's
    three files are rendered before any is written, so that they are written together or not at
    all but for the renames.
    """
    from checker.render.batch import render_csv, render_html, render_json

    done: list[Row] = []

    def finished(row: Row) -> None:
        done.append(row)
        if progress is not None:
            progress(row)

    with _holding(settings.out):
        _real_folder(settings.out / CARDS)
        for name in SUMMARY_FILES:  # from now on they would describe reports that are changing
            _remove(settings.out / name)
        _remove_temporaries(settings.out)
        try:
            rows = run(found, settings, jobs=workers(jobs), bounds=bounds, progress=finished)
        except KeyboardInterrupt:
            raise BatchInterrupted(len(done), len(found)) from None
        summary = summarize(rows, settings, root=root, fail_on=fail_on)
        documents = [render(summary) for render in (render_json, render_csv, render_html)]
        _remove_departed(found, settings)
        try:
            for name, document in zip(SUMMARY_FILES, documents, strict=True):
                write_atomically(settings.out / name, document)
        except BaseException:  # the summary's files are written together or not at all
            for name in SUMMARY_FILES:
                with contextlib.suppress(OutputRefused):
                    _remove(settings.out / name)
            raise
    return summary


__all__ = [
    "BARE_CARD",
    "BARE_SUFFIXES",
    "CARDS",
    "CARD_NAMES",
    "LOCK",
    "SUMMARY_FILES",
    "BatchInterrupted",
    "Found",
    "Settings",
    "cards_to_check",
    "check_folders",
    "check_one",
    "discover",
    "jobs_note",
    "run",
    "run_batch",
    "summarize",
    "workers",
]
