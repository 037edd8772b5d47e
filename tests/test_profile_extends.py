"""`extends:` between profile files (issue 12): only from the first profile's folder, no loop, a bounded chain,
and no error that quotes a file reached through it.

The first profile is the one given to `--profile`; it may extend a built-in profile by name, or files under its
own folder (subfolders too) as the system resolves their paths. A loop is named as one with its chain, however
its paths are spelt; a chain longer than MAX_EXTENDS is refused as such; and a file reached through `extends:`
is named with the line of each problem, never quoted: it may be /etc/shadow or a key file, not a profile.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import PASS_CARD, Ran, safetycase

from checker.profiles import MAX_EXTENDS

SECRET = "root:$6$s3cr3t-salt$s3cr3t-hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"
"""Lines shaped like /etc/shadow: YAML reads them as a mapping with keys a profile does not know."""
MARKER = "s3cr3t"


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def _check(profile: Path | str, cwd: Path) -> Ran:
    return safetycase("check", PASS_CARD.resolve(), "--profile", profile, "--format", "json", cwd=cwd)


# --- what may be extended ----------------------------------------------------------------------------


def test_files_under_the_first_profiles_folder_extend_each_other(tmp_path: Path) -> None:
    _write(
        tmp_path / "p",
        {
            "a.yaml": "extends: sub/b.yaml\npass_score: 1\n",
            "sub/b.yaml": "extends: ../c.yaml\n",  # `..` that stays inside the folder
            "c.yaml": "extends: linked.yaml\n",
            "d.yaml": "extends: regulator\npass_score: 2\n",
        },
    )
    (tmp_path / "p" / "linked.yaml").symlink_to("d.yaml")  # a link that stays inside
    ran = _check("p/a.yaml", tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert '"pass_score": 1.0' in ran.stdout and '"min_arm_size": 300' in ran.stdout


@pytest.mark.parametrize(
    "extends",
    [
        "../outside.yaml",  # up out of the folder
        "{root}/outside.yaml",  # an absolute path
        "linked-out.yaml",  # a link inside that leads out
        "out/outside.yaml",  # through a folder link that leads out
    ],
)
def test_a_file_out_of_the_first_profiles_folder_is_refused_unread(tmp_path: Path, extends: str) -> None:
    spec = extends.replace("{root}", str(tmp_path))
    _write(tmp_path, {"outside.yaml": "extends: default\npass_score: 0\n", "p/a.yaml": f"extends: {spec}\n"})
    (tmp_path / "p" / "linked-out.yaml").symlink_to(tmp_path / "outside.yaml")
    (tmp_path / "p" / "out").symlink_to(tmp_path, target_is_directory=True)
    ran = _check("p/a.yaml", tmp_path)
    assert (ran.returncode, ran.stderr) == (
        2,
        f"p/a.yaml:1:10: extends '{spec}', which is not under p/: a profile may extend only a built-in profile"
        " (default, regulator) or a file under the folder of the first profile (at /extends)\n",
    )


def test_extending_etc_shadow_quotes_nothing_of_it(tmp_path: Path) -> None:
    _write(tmp_path, {"shadow": SECRET, "p/a.yaml": f"extends: {tmp_path}/shadow\n"})
    ran = _check("p/a.yaml", tmp_path)
    assert ran.returncode == 2
    assert MARKER not in ran.stdout + ran.stderr
    assert "which is not under p/" in ran.stderr


def test_a_file_in_the_folder_that_is_no_profile_is_placed_but_not_quoted(tmp_path: Path) -> None:
    _write(tmp_path / "p", {"shadow.txt": SECRET, "a.yaml": "extends: shadow.txt\n"})
    ran = _check("p/a.yaml", tmp_path)
    assert ran.returncode == 2
    assert MARKER not in ran.stdout + ran.stderr
    not_quoted = "(a file reached through extends is not quoted; pass it to --profile to see more)"
    assert ran.stderr.splitlines() == [
        f"p/shadow.txt:1:1: a key that is no profile option {not_quoted}",
        f"p/shadow.txt:2:1: a key that is no profile option {not_quoted}",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{MARKER}: [unclosed\n", "2:1: cannot be read as a profile"),
        (f"- {MARKER}\n", "1:1: cannot be read as a profile"),
        (f"pass_score: {MARKER}\n", "1:13: pass_score must be from 0 to 100"),
        (f"severities: {{CV-1: {MARKER}}}\n", "1:20: a setting a profile does not allow"),
        (
            f"audit_access: {{level: {MARKER}}}\n",
            "1:23: audit_access.level must be one of black_box, grey_box, white_box",
        ),
    ],
)
def test_an_extended_file_is_placed_but_never_quoted(tmp_path: Path, text: str, message: str) -> None:
    _write(tmp_path / "p", {"a.yaml": "extends: b.yaml\n", "b.yaml": text})
    ran = _check("p/a.yaml", tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.startswith(f"p/b.yaml:{message} (a file reached through extends is not quoted"), ran.stderr
    assert MARKER not in ran.stderr


def test_the_profile_given_is_quoted(tmp_path: Path) -> None:
    _write(tmp_path / "p", {"b.yaml": f"extends: default\npass_score: {MARKER}\n"})
    ran = _check("p/b.yaml", tmp_path)
    assert (ran.returncode, ran.stderr) == (2, f"p/b.yaml:2:13: '{MARKER}' is not of type 'number' (at /pass_score)\n")


def test_an_extends_holding_a_nul_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "p", {"a.yaml": 'extends: "b.yaml\\0"\n'})
    ran = _check("p/a.yaml", tmp_path)
    assert ran.returncode == 2
    assert "holds a NUL character" in ran.stderr


# --- loops and depth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "closed_at", "chain"),
    [
        ({"a.yaml": "extends: ../p/a.yaml\n"}, "p/a.yaml", "p/a.yaml -> p/a.yaml"),
        (
            {"a.yaml": "extends: ./b.yaml\n", "b.yaml": "extends: ../p/./a.yaml\n"},
            "p/b.yaml",
            "p/a.yaml -> p/b.yaml -> p/a.yaml",
        ),
        (
            {"a.yaml": "extends: sub/../b.yaml\n", "b.yaml": "extends: b.yaml\n"},
            "p/b.yaml",
            "p/a.yaml -> p/b.yaml -> p/b.yaml",
        ),
    ],
)
def test_a_loop_is_named_with_its_chain_however_its_paths_are_spelt(
    tmp_path: Path, files: dict[str, str], closed_at: str, chain: str
) -> None:
    _write(tmp_path / "p", files)
    (tmp_path / "p" / "sub").mkdir(exist_ok=True)
    ran = _check("p/a.yaml", tmp_path)
    assert (ran.returncode, ran.stderr) == (
        2,
        f"{closed_at}:1:10: profiles extend each other in a loop: {chain} (at /extends)\n",
    )


def test_a_loop_through_a_link_is_a_loop(tmp_path: Path) -> None:
    _write(tmp_path / "p", {"a.yaml": "extends: b.yaml\n"})
    (tmp_path / "p" / "b.yaml").symlink_to("a.yaml")
    ran = _check("p/a.yaml", tmp_path)
    assert (ran.returncode, ran.stderr) == (
        2,
        "p/a.yaml:1:10: profiles extend each other in a loop: p/a.yaml -> p/a.yaml (at /extends)\n",
    )


def _chain(folder: Path, length: int) -> None:
    """c0.yaml extends c1.yaml ... c{length}.yaml, which extends default: `length` files after the first."""
    folder.mkdir()
    for i in range(length):
        (folder / f"c{i}.yaml").write_text(f"extends: c{i + 1}.yaml\n", encoding="utf-8")
    (folder / f"c{length}.yaml").write_text("extends: default\npass_score: 3\n", encoding="utf-8")


def test_a_chain_of_the_limit_loads(tmp_path: Path) -> None:
    _chain(tmp_path / "p", MAX_EXTENDS)
    ran = _check("p/c0.yaml", tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert '"pass_score": 3.0' in ran.stdout


@pytest.mark.parametrize("length", [MAX_EXTENDS + 1, 1500])
def test_a_chain_over_the_limit_is_refused_as_too_deep(tmp_path: Path, length: int) -> None:
    _chain(tmp_path / "p", length)
    ran = _check("p/c0.yaml", tmp_path)
    trail = " -> ".join(f"p/c{i}.yaml" for i in range(MAX_EXTENDS + 2))
    assert (ran.returncode, ran.stderr) == (
        2,
        f"p/c{MAX_EXTENDS}.yaml:1:10: profiles extend each other more than {MAX_EXTENDS} deep (the limit): {trail}"
        " (at /extends)\n",
    )


def test_the_folder_is_the_first_profiles_as_given(tmp_path: Path) -> None:
    """A first profile reached through a link extends files beside the link, not beside its target."""
    _write(tmp_path, {"shared/mine.yaml": "extends: base.yaml\n", "p/base.yaml": "extends: default\npass_score: 4\n"})
    (tmp_path / "p" / "mine.yaml").symlink_to(tmp_path / "shared" / "mine.yaml")
    ran = _check("p/mine.yaml", tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert '"pass_score": 4.0' in ran.stdout
    assert os.path.islink(tmp_path / "p" / "mine.yaml")
