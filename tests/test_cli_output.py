"""Where the command line writes: never over an input, a link or a special file; files that follow
the umask; a closed or full standard output; colour only on a terminal that wants it.

Special files are made in tmp_path (a FIFO, a symbolic link, a device node when allowed), never
the real /dev/null or /dev/full: a regression here once replaced /dev/null when run as root.
"""

from __future__ import annotations

import errno
import hashlib
import os
import pty
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import PASS_CARD, ROOT, SOURCE_DATE_EPOCH, Ran, safetycase


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line_usage_error(done: Ran | subprocess.CompletedProcess[str], *expected: str) -> str:
    """Exit 2, nothing on standard output, one line on standard error containing each of `expected`."""
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    for text in expected:
        assert text in lines[0]
    return lines[0]


@pytest.fixture
def card(tmp_path: Path) -> Path:
    copy = tmp_path / "card.yaml"
    shutil.copyfile(PASS_CARD, copy)
    return copy


# --- never over an input card ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("how", ["same path", "relative path", "hard link"])
def test_output_onto_the_input_card_is_refused(tmp_path: Path, card: Path, how: str, fmt: str) -> None:
    before = _sha256(card)
    out = {"same path": card, "relative path": Path("./card.yaml"), "hard link": tmp_path / "hard.yaml"}[how]
    if how == "hard link":
        os.link(card, out)
    done = safetycase("check", "card.yaml", "--format", fmt, "-o", out, cwd=tmp_path)
    _one_line_usage_error(done, "cannot write", "is the card card.yaml being checked")
    assert _sha256(card) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"card.yaml", Path(out).name})  # no temporary file


def _profile_chain(folder: Path) -> None:
    """prof.yaml extends base.yaml (which extends the default), and hard.yaml is a second name of base.yaml."""
    (folder / "base.yaml").write_text("extends: default\npass_score: 50\n", encoding="utf-8")
    (folder / "prof.yaml").write_text("extends: base.yaml\n", encoding="utf-8")
    os.link(folder / "base.yaml", folder / "hard.yaml")


PROFILE_COMMANDS = [("check", "--format", "json"), ("report", "--format", "markdown")]


@pytest.mark.parametrize("command", PROFILE_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("out", "profile"), [("prof.yaml", "prof.yaml"), ("base.yaml", "base.yaml"), ("hard.yaml", "base.yaml")]
)
def test_output_onto_a_profile_file_of_the_chain_is_refused(
    tmp_path: Path, card: Path, command: tuple[str, ...], out: str, profile: str
) -> None:
    """The profile given and every file it extends are inputs too: by name, and by device and inode."""
    _profile_chain(tmp_path)
    before = {p.name: _sha256(p) for p in tmp_path.iterdir()}
    done = safetycase(command[0], "card.yaml", *command[1:], "-p", "prof.yaml", "-o", out, cwd=tmp_path)
    _one_line_usage_error(
        done, f"cannot write {out}: it is the profile file {profile}", "refusing to overwrite an input"
    )
    assert {p.name: _sha256(p) for p in tmp_path.iterdir()} == before  # nothing written, no temporary file


@pytest.mark.parametrize("command", PROFILE_COMMANDS, ids=lambda c: c[0])
def test_output_beside_the_profile_files_is_written(tmp_path: Path, card: Path, command: tuple[str, ...]) -> None:
    _profile_chain(tmp_path)
    done = safetycase(command[0], "card.yaml", *command[1:], "-p", "prof.yaml", "-o", "out.txt", cwd=tmp_path)
    assert done.returncode in (0, 1) and (tmp_path / "out.txt").stat().st_size > 0, done.stderr


# --- never over a link or a special file -------------------------------------------------------


def test_output_onto_a_symbolic_link_leaves_link_and_target_alone(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "report.txt"
    link.symlink_to(target)
    done = safetycase("check", PASS_CARD, "-o", link)
    _one_line_usage_error(done, f"cannot write {link}: it is a symbolic link")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_output_onto_a_dangling_symbolic_link_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    done = safetycase("check", PASS_CARD, "-f", "json", "-o", link)
    _one_line_usage_error(done, "symbolic link")
    assert link.is_symlink() and not (tmp_path / "elsewhere.json").exists()


def test_output_onto_a_fifo_leaves_the_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    done = safetycase("check", PASS_CARD, "-o", fifo)
    _one_line_usage_error(done, f"cannot write {fifo}: not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_output_onto_a_device_node_leaves_the_node(tmp_path: Path) -> None:
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private copy of /dev/null
    except PermissionError:
        pytest.skip("making a device node needs privilege; the FIFO test covers special files")
    done = safetycase("check", PASS_CARD, "-o", node)
    _one_line_usage_error(done, "not a regular file")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_init_onto_a_symbolic_link_with_force_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    target.write_text("keep: me\n", encoding="utf-8")
    link = tmp_path / "card.yaml"
    link.symlink_to(target)
    done = safetycase("init", "-o", link, "--force")
    _one_line_usage_error(done, "symbolic link")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep: me\n"


# --- folders and permissions -------------------------------------------------------------------


@pytest.mark.parametrize("trailing", ["", "/"])
def test_output_onto_a_folder(tmp_path: Path, trailing: str) -> None:
    (tmp_path / "adir").mkdir()
    done = safetycase("check", PASS_CARD, "-o", f"adir{trailing}", cwd=tmp_path)
    _one_line_usage_error(done, "cannot write adir: it is a folder")
    assert list((tmp_path / "adir").iterdir()) == []


def test_init_onto_a_folder_with_force(tmp_path: Path) -> None:
    folder = tmp_path / "cards.yaml"
    folder.mkdir()
    done = safetycase("init", "-o", folder, "--force")
    _one_line_usage_error(done, "it is a folder")
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_output_under_a_regular_file(tmp_path: Path) -> None:
    done = safetycase("check", PASS_CARD, "-o", PASS_CARD / "report.txt", cwd=tmp_path)
    _one_line_usage_error(done, "no folder")


def test_output_into_a_folder_without_write_permission_simulated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, which ignores permission bits: make creating the file fail as it would.
    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refused)
    out = tmp_path / "report.txt"
    done = safetycase("check", PASS_CARD, "-o", out)
    _one_line_usage_error(done, f"cannot write {out}: Permission denied")
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_folder_without_write_permission() -> None:
    # Root ignores permission bits, so as root (CI) the command runs as nobody (setpriv), in a
    # process of its own. Every folder it needs is traversable by nobody, so that the only thing
    # denied is the write.
    base = Path(tempfile.mkdtemp(prefix="safetycase-perm-"))
    try:
        base.chmod(0o755)
        card = base / "card.yaml"
        shutil.copy(PASS_CARD, card)
        card.chmod(0o644)
        folder = base / "locked"
        folder.mkdir(mode=0o555)
        folder.chmod(0o555)
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [
                *drop,
                sys.executable,
                "-m",
                "checker",
                "check",
                str(card),
                "--no-evidence",
                "-o",
                str(folder / "report.txt"),
            ],
            capture_output=True,
            text=True,
            cwd=base,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            check=False,
            timeout=120,
        )
        _one_line_usage_error(done, f"cannot write {folder / 'report.txt'}: Permission denied")
        assert list(folder.iterdir()) == []
    finally:
        (base / "locked").chmod(0o755)
        shutil.rmtree(base)


# --- init writes YAML, under a YAML name -------------------------------------------------------


@pytest.mark.parametrize("name", ["new.json", "card", "card.txt"])
def test_init_refuses_a_name_that_is_not_yaml(tmp_path: Path, name: str) -> None:
    done = safetycase("init", "-o", tmp_path / name)
    _one_line_usage_error(done, ".yaml or .yml")
    assert list(tmp_path.iterdir()) == []


def test_init_accepts_yml(tmp_path: Path) -> None:
    done = safetycase("init", "-o", tmp_path / "card.yml")
    assert done.returncode == 0, done.stderr
    assert safetycase("validate", tmp_path / "card.yml").returncode == 0


# --- written files follow the umask ------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
@pytest.mark.parametrize("command", ["check", "init"])
def test_written_files_follow_the_umask(tmp_path: Path, command: str, umask: int, mode: int) -> None:
    out = tmp_path / "out.yaml"
    args = ["check", str(PASS_CARD), "-o", str(out)] if command == "check" else ["init", "-o", str(out)]
    before = os.umask(umask)
    try:
        done = safetycase(*args)
    finally:
        os.umask(before)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == mode


# --- standard output that cannot be written ----------------------------------------------------


def test_closed_standard_output(tmp_path: Path) -> None:
    done = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m checker check "{PASS_CARD}" >&-'],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (2, "safetycase: cannot write to standard output: it is closed\n")


def test_closed_standard_output_is_no_matter_with_an_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    done = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m checker check "{PASS_CARD}" -o "{out}" >&-'],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert out.read_text(encoding="utf-8").startswith("safetycase ")


@pytest.mark.parametrize("command", [["check", str(PASS_CARD)], ["schema"], ["requirements"], ["init"]])
def test_standard_output_that_refuses_every_write(command: list[str]) -> None:
    # A pipe nobody reads fails every write at the file descriptor, as /dev/full does (not touched
    # here): the message is one line, and nothing fails again when Python flushes at exit.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "checker", *command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            check=False,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (2, "safetycase: cannot write to standard output: Broken pipe\n")


# --- colour --------------------------------------------------------------------------------------


def _on_a_terminal(env: dict[str, str]) -> str:
    """Standard output of a check run on a pseudo-terminal."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "SAFETYCASE_DEBUG")}
    environment |= {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **env}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "check", str(PASS_CARD)],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=environment,
    )
    os.close(follower)
    chunks = []
    while True:  # read as it comes: a full terminal buffer would block the writer
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8")


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"TERM": "xterm"}, True),
        ({"TERM": "xterm", "NO_COLOR": ""}, True),  # no-color.org: only a non-empty value disables
        ({"TERM": "xterm", "NO_COLOR": "1"}, False),
        ({"TERM": "dumb"}, False),
    ],
)
def test_colour_on_a_terminal(env: dict[str, str], coloured: bool) -> None:
    output = _on_a_terminal(env)
    assert "VERDICT: PASS" in output
    assert ("\x1b[" in output) is coloured
