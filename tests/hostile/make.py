"""Hostile inputs too large or too odd to commit, written on demand and byte for byte the same each time.

Megabyte files, 100,000-deep nesting, bytes that are not text, symbolic and hard links, named
pipes, a socket, sparse files and folder names holding control characters are made here instead of
committed. `make(name, target)` writes the one that cases.yaml names
`name` at `target` (for a committed folder, adds its links and pipe to the copy), and
`place(card, folder)` puts a case's card, committed or made, into a folder to run it; run
`python tests/hostile/make.py DIR` to write every generated card into DIR and look at them.
`repeated(n, lists)` writes a valid card with n entries alike in each of its lists, of any size,
for the tests and benchmarks of big cards.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

CARD = """\
schema_version: "1.0"
submission: {organization: Hostile Lab}
model:
  name: Hostile-1
  release_id: hostile-1
  released_configurations: [release]
  configurations: [{id: release}]
"""
"""A minimal card that loads and validates: each hostile input is this with one thing added."""

DEPTH = 100_000
HUGE_INTEGER = "1" + "0" * 5_000  # 10**5000, past the 4,300 digits Python turns into text
MIB = 1024 * 1024


def _evaluation(n: str) -> str:
    """The card with one evaluation whose arm counts `n` trials (the literal is written as given)."""
    return CARD + (
        "evaluations:\n"
        "  - id: ev\n"
        "    title: An evaluation\n"
        "    category: alignment_faking\n"
        "    configuration: release\n"
        f"    arms: [{{context: overall, n: {n}, count: 1}}]\n"
    )


def _as_json(yaml_text: str, literal: str) -> str:
    """`yaml_text` (holding the placeholder 12345) as indented JSON, the placeholder spelled `literal`."""
    text = json.dumps(yaml.safe_load(yaml_text), indent=2)
    assert text.count("12345") == 1
    return text.replace("12345", literal)


def alias_bomb() -> str:
    """Billion laughs: nine levels of nine aliases, 9**9 values from 600 bytes."""
    lines = ["x-laughs:", '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return CARD + "\n".join(lines) + "\n"


def many_aliases() -> str:
    """101 aliases of one short string: no bomb, but more aliases than a card needs."""
    return CARD + "x-anchor: &s lol\nx-aliases:\n" + "  - *s\n" * 101


def deep_yaml_flow() -> str:
    return CARD + "x-deep: " + "[" * DEPTH + "]" * DEPTH + "\n"


def deep_yaml_block() -> str:
    """Block sequences nested on one line (`- - - x`): no indentation to pay for each level."""
    return CARD + "x-deep:\n  " + "- " * DEPTH + "x\n"


def deep_json_lists() -> str:
    return '{"schema_version": "1.0",\n "x-deep": ' + "[" * DEPTH + "]" * DEPTH + "}\n"


def deep_json_objects() -> str:
    return '{"schema_version": "1.0",\n "x-deep": ' + '{"a": ' * DEPTH + "1" + "}" * DEPTH + "}\n"


def huge_integer_yaml() -> str:
    return _evaluation(HUGE_INTEGER)


def huge_integer_json() -> str:
    return _as_json(_evaluation("12345"), HUGE_INTEGER)


def string_over_limit() -> str:
    """An 11 MiB string: the file is over the 10 MiB limit."""
    return CARD + "x-blob: " + "a" * (11 * MIB) + "\n"


def string_under_limit() -> str:
    """A 1 MiB result, in words: under the limit, so it must be checked and reported whole."""
    words = "lorem ipsum dolor sit amet " * (MIB // 27)
    return _evaluation("100").replace("    arms:", f"    result: {words.strip()}\n    arms:")


def long_word(length: int = 100_000) -> str:
    """An evaluation whose method is one word of `length` characters (the PDF laid it out again for every line)."""
    return _evaluation("100").replace("    arms:", f"    method: {'a' * length}\n    arms:")


def too_many_values() -> str:
    """1,000,001 values in one flat list (no aliases): one more than the limit."""
    return CARD + "x-values: [" + ", ".join(["~"] * 1_000_001) + "]\n"


def many_json_literals() -> str:
    """A valid card with 999,000 more values, all `null`, `true` or `false`: each word read in place."""
    words = ", ".join(["null", "true", "false"] * 333_000)
    return _as_json(CARD + "x-values: 12345\n", f"[{words}]")


def many_distinct_values() -> str:
    """A valid card with 900,000 more values, each a string of its own (8 MB): no loader can hold them in
    60 MiB (as str objects alone they take 50 MiB), so a tight memory bound stops the check of it."""
    values = ", ".join(f'"{i:x}"' for i in range(900_000))
    return _as_json(CARD + "x-values: 12345\n", f"[{values}]")


def long_key_paths() -> str:
    """A 1 MiB key holding 600 values: each value's JSON pointer repeats the key (600 MiB in all).

    The card also lacks `submission`, so that it is refused (exit 2) whether a fix bounds the
    paths' length or stops repeating the key.
    """
    return '{"schema_version": "1.0",\n "x-' + "k" * MIB + '": [' + ", ".join(["1"] * 600) + "]}\n"


def long_key_paths_yaml() -> str:
    """The same in YAML: an explicit key (`? key`), as a plain one is cut at 1,024 characters."""
    return 'schema_version: "1.0"\n? x-' + "k" * MIB + "\n:\n" + "".join("  - 1\n" for _ in range(600))


LISTS = ("configurations", "evaluations", "independent_audits", "reasoning_evidence", "claims", "criteria", "changelog")
"""The lists of a card that `repeated` can fill: each gives the report places of findings of its own."""


def repeated(n: int, lists: Sequence[str] = LISTS) -> str:
    """A valid card with n entries in each of `lists` (one in each other list), alike but for their ids.

    Every entry falls short the same ways (no method, no samples, small arms, published prompts, an
    unreleased configuration, overclaiming claims with no scope, criteria unmet), so that its report
    is many places of a few findings. Configurations come in pairs, each stating all six identity
    items: a released one and an unreleased one, which the evaluations, audits and reasoning
    evidence tested, so that each is compared with every released configuration.
    """
    size = {name: n if name in lists else 1 for name in LISTS}
    lines = [
        'schema_version: "1.0"',
        "submission:",
        "  organization: Hostile Lab",
        '  card_version: "1"',
        "  changelog:",
        *(f'    - {{card_version: "{size["changelog"] - i}", date: 2026-10-01}}' for i in range(size["changelog"])),
        "model:",
        "  name: Hostile-1",
        "  release_id: hostile-1",
        f"  released_configurations: [{', '.join(f'rel-{i}' for i in range(size['configurations']))}]",
        "  configurations:",
    ]
    for i in range(size["configurations"]):
        for name, weights in ((f"rel-{i}", 2 * i), (f"dev-{i}", 2 * i + 1)):
            lines.append(
                f"    - {{id: {name}, weights_sha256: '{weights:064x}', system_prompt_sha256: null, tools: [], "
                "monitoring_layer: null, fine_tuning_history: [], access_setting: api}"
            )
    lines.append("evaluations:")
    for i in range(size["evaluations"]):
        lines.append(
            f"  - {{id: ev-{i}, title: Evaluation {i} of many alike, category: alignment_faking, "
            f"configuration: dev-{i % size['configurations']}, prompts: published, arms: ["
            "{context: monitored, n: 40, count: 4}, {context: unmonitored, n: 40, count: 3}, "
            "{context: training_like, n: 40, count: 4}, {context: deployment_like, n: 40, count: 2}]}"
        )
    lines.append("independent_audits:")
    lines += (
        f"  - {{id: audit-{i}, auditor: Auditor {i}, configuration: dev-{i % size['configurations']}}}"
        for i in range(size["independent_audits"])
    )
    lines.append("reasoning_evidence:")
    lines += (
        f"  - {{id: cot-{i}, kind: chain_of_thought, configuration: dev-{i % size['configurations']}}}"
        for i in range(size["reasoning_evidence"])
    )
    lines.append("claims:")
    lines += (
        f"  - {{id: C{i}, statement: This proves the model is safe for all future versions., "
        f"evidence: [ev-{i % size['evaluations']}, cot-{i % size['reasoning_evidence']}]}}"
        for i in range(size["claims"])
    )
    lines += ["release_gate:", "  decision: release", "  criteria:"]
    lines += (f"    - {{name: criterion {i}, met: false}}" for i in range(size["criteria"]))
    return "\n".join(lines) + "\n"


def minimal_evaluations(n: int) -> str:
    """n minimal evaluations, alike but for their ids (titles of 400 characters: 25,000 make 10 MB, under the limit).

    Each lacks the same things (method, samples, prompts, evidence): its report is n places of a few findings.
    """
    title = "A minimal evaluation, one of many alike, padded to make the card ten megabytes " * 4
    evaluations = (
        f"  - id: ev-{i:05d}\n    title: {title}{i}\n    category: alignment_faking\n    configuration: release\n"
        for i in range(n)
    )
    return CARD + "evaluations:\n" + "".join(evaluations)


def many_evaluations() -> str:
    return minimal_evaluations(25_000)


def every_list_200() -> str:
    """Each list of a card 200 times (210 KB), each entry falling short the same ways: once too long to print."""
    return repeated(200)


def invalid_utf8() -> bytes:
    return CARD.replace("Hostile Lab", "Hostile Lab \xff").encode("latin-1")


def nul_byte() -> bytes:
    return CARD.replace("Hostile-1", "Hostile\x00-1").encode("utf-8")


def utf16() -> bytes:
    """The card saved as UTF-16 (with its byte-order mark), as some Windows editors do."""
    return CARD.encode("utf-16")


def evidence_paths(folder: Path) -> None:
    """What a committed `evidence-paths` folder cannot hold: a file outside it, links, a pipe, a socket.

    `secret.txt` sits beside the folder: every path that climbs or links out reaches it, so a
    path that was read instead of refused would show its hash in the report. `hard.md` is a second
    name of it inside the folder (a hard link); `inside-link.md` a link that stays inside.
    """
    (folder.parent / "secret.txt").write_text("a file outside the card's folder\n", encoding="utf-8")
    (folder / "evidence" / "out-link.md").symlink_to(Path("..") / ".." / "secret.txt")
    (folder / "evidence" / "inside-link.md").symlink_to("ok.md")
    (folder / "linked").symlink_to(Path(".."), target_is_directory=True)
    os.link(folder.parent / "secret.txt", folder / "evidence" / "hard.md")
    os.mkfifo(folder / "evidence" / "pipe.jsonl")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(folder / "evidence" / "socket.jsonl"))


def evidence_sizes(folder: Path) -> None:
    """Files for `evidence-sizes`, whose profile allows 1 MiB a file and 2 MiB a card.

    A 2 MiB sparse file (over the file limit: refused, unread); 500,000 malformed one-character
    raw-sample lines (under it: read, and as quick as a good file of their size); two 700 KiB
    reports, of which the second would take the card past its limit.
    """
    (folder / "evidence").mkdir()
    with open(folder / "evidence" / "huge.jsonl", "wb") as huge:
        huge.truncate(2 * MIB)
    (folder / "evidence" / "tiny-lines.jsonl").write_bytes(b"x\n" * 500_000)
    for name in ("a.md", "b.md"):
        (folder / "evidence" / name).write_bytes(name[0].encode() * (700 * 1024))


FOLDER_NAMES = {
    "escape\x1b]0;pwned\x07\x1b[2J": "escape\\x1b]0;pwned\\x07\\x1b[2J",
    "line\nbreak\ttab\rreturn": "line\\nbreak\\ttab\\rreturn",
    "override\u202egnp.exe": "override\\u202egnp.exe",
    "zero\u200bwidth\u2060joined": "zero\\u200bwidth\\u2060joined",
    "no-break\xa0space": "no-break\\xa0space",
    "Acme;=1+1": "Acme;'=1+1",
    "Acme, -2+3": "Acme, '-2+3",
    "@SUM(1;2)": "'@SUM(1;2)",
    "Café": "Café",
    "Cafe\u0301": "Cafe\\u0301",
    "lab\udcff": "lab\\xff",
    "northwind": "northwind",
    "n\u043erthwind": "n\\u043erthwind",
    "northwind\u2800": "northwind\\u2800",
    "northwind\u3164": "northwind\\u3164",
    "northwind\u3000": "northwind\\u3000",
    "Ελλάς": "Ελλάς",
}
"""Folder names a submitter may choose, and how the batch summary's CSV shows each: hidden characters
escaped, a formula defused wherever a spreadsheet could split the name, two names never alike as far as
`checker.terminal.distinct` can tell (composed and decomposed, blank-looking letters, a Cyrillic о in a
Latin word; a name wholly in one script is kept), a byte that is not UTF-8 (Python holds it as a lone
surrogate) escaped."""
ORGANIZATION = 'Acme Lab;=HYPERLINK("http://evil.example/","x")\u202e'
"""The organization of each card in hostile-folder-names: a formula after a semicolon, and an override."""


def hostile_folder_names(folder: Path) -> None:
    """A folder of submissions, one per name in FOLDER_NAMES, each a valid card by ORGANIZATION."""
    card = CARD.replace("{organization: Hostile Lab}", "{organization: " + json.dumps(ORGANIZATION) + "}")
    for name in FOLDER_NAMES:
        (folder / name).mkdir()
        (folder / name / "card.yaml").write_text(card, encoding="utf-8")


def batch_special_files(folder: Path) -> None:
    """Named pipes where a batch looks for cards: a `.md` file (discovery reads its first line), a
    submission's card.yaml and a bare `.json` card. Opening one to read it waits for a writer forever."""
    os.mkfifo(folder / "notes.md")
    (folder / "lab-f").mkdir()
    os.mkfifo(folder / "lab-f" / "card.yaml")
    os.mkfifo(folder / "bare.json")


TEXTS: dict[str, Callable[[], str | bytes]] = {
    "alias-bomb.yaml": alias_bomb,
    "many-aliases.yaml": many_aliases,
    "deep-flow.yaml": deep_yaml_flow,
    "deep-block.yaml": deep_yaml_block,
    "deep-lists.json": deep_json_lists,
    "deep-objects.json": deep_json_objects,
    "huge-integer.yaml": huge_integer_yaml,
    "huge-integer.json": huge_integer_json,
    "string-over-limit.yaml": string_over_limit,
    "string-under-limit.yaml": string_under_limit,
    "long-word.yaml": long_word,
    "too-many-values.yaml": too_many_values,
    "many-json-literals.json": many_json_literals,
    "many-distinct-values.json": many_distinct_values,
    "long-key-paths.json": long_key_paths,
    "long-key-paths.yaml": long_key_paths_yaml,
    "invalid-utf8.yaml": invalid_utf8,
    "nul-byte.yaml": nul_byte,
    "utf16.yaml": utf16,
    "many-evaluations.yaml": many_evaluations,
    "every-list-200.yaml": every_list_200,
}
"""Generated card files, by the name cases.yaml gives them."""
FOLDERS: dict[str, Callable[[Path], None]] = {
    "evidence-paths": evidence_paths,
    "evidence-sizes": evidence_sizes,
    "batch-special-files": batch_special_files,
}
"""Committed card folders, by name, and what to add to a copy of each."""
SUBMISSIONS: dict[str, Callable[[Path], None]] = {"hostile-folder-names": hostile_folder_names}
"""Generated folders of submissions (for `batch`), by the name cases.yaml gives them."""


def make(name: str, target: Path) -> None:
    """Write the generated card or submissions `name` at `target`, or add the extras of the folder copied to `target`."""
    if name in FOLDERS:
        FOLDERS[name](target)
        return
    if name in SUBMISSIONS:
        target.mkdir()
        SUBMISSIONS[name](target)
        return
    content = TEXTS[name]()
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


CORPUS = Path(__file__).parent
CASES: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
"""The corpus's cases, by name (tests/test_hostile.py runs them, benchmarks/hostile_speed.py times them)."""


def place(card: str, inputs: Path) -> Path:
    """The case's card in `inputs`: a committed file or folder copied, or a generated file or folder of
    submissions written (its path is the folder's)."""
    source = CORPUS / card
    if source.is_dir():
        shutil.copytree(source, inputs / card)
        if card in FOLDERS:
            make(card, inputs / card)
        return inputs / card / "card.yaml"
    if source.is_file():
        shutil.copyfile(source, inputs / card)
    else:
        make(card, inputs / card)
    return inputs / card


def case_arguments(name: str, card: Path, out: Path) -> list[str]:
    """The case's command line after `safetycase`, for its card (as placed) and an output folder."""
    return [arg.replace("{card}", str(card)).replace("{out}", str(out)) for arg in CASES[name]["run"]]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile/make.py DIR")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for generated in [*TEXTS, *SUBMISSIONS]:
        make(generated, out / generated)
    print(f"wrote {len(TEXTS)} cards and {len(SUBMISSIONS)} folders of submissions to {out}")
