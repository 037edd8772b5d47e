"""Starting a card from a Hugging Face model card (README.md): what maps is filled in, the rest stays TODO.

Pure: the README's bytes in, the card's YAML text out. The front matter is read by the card loader
(safe, bounded, duplicate keys refused), the body's headings and "- **Developed by:** ..." lines by
markdown-it-py. Every value taken from the README is written by a YAML emitter, so it loads back as
the same string; every comment quoting the README is one line of printable text.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from checker.load import decode_text, parse_front_matter, split_front_matter
from checker.model import RATE_NAME
from checker.problems import CardError, Problem
from checker.resources import read_bytes

MAX_README_BYTES = 1024 * 1024
"""Largest README read. Model cards are tens of kilobytes, a few hundred with a long model-index;
markdown-it-py's block parsing takes up to 6 seconds a megabyte (a table of tiny cells), so the
card loader's own limit of 10 MiB would mean a minute of waiting."""
MAX_INLINE = 500
"""Longest heading or list item text read; longer ones are not the short names looked for here."""
INLINE_BUDGET = 100_000
"""Most characters of headings and list items read in all. markdown-it-py's inline parsing is
quadratic on input such as a run of '[' (50 ms for 1,000 characters, half a minute for 256 KiB):
these two limits keep a hostile README to a few seconds, and a real one is far within them."""
MAX_NAME = 200
"""The longest name the submission schema accepts (model name, organisation, metric name)."""
MAX_METRIC = 1e300
"""The largest metric value the submission schema accepts, either way."""
_COMMENT_WIDTH = 100
"""Longest README text quoted in one comment; longer is clipped with '…'."""
_PLACEHOLDERS = {"", "[more information needed]", "more information needed", "model id", "[optional]"}
"""What the Hugging Face card template leaves where the author wrote nothing."""
_FRONT_MATTER_NOTES = ("license", "license_name", "language", "library_name", "pipeline_tag", "tags", "datasets")
"""Front matter keys shown for reference: the submission format has no place for them."""

# js-default: raw HTML off, nesting capped (PITFALLS.md). Blocks are parsed without their inline
# text; only the few headings and list items read here get theirs, from the second parser.
_BLOCKS = MarkdownIt("js-default").disable("inline")
_INLINE = MarkdownIt("js-default")


@dataclass(frozen=True, kw_only=True)
class Section:
    """A heading of the README body that points at a part of the card still to fill in."""

    title: str
    line: int
    """1-based line in the README."""
    place: str
    """The template anchor the hint goes under: configuration, evaluations, claims or release_gate."""
    hint: str
    """What in that place the section may help fill in."""


# Normalised heading text of the Hugging Face template -> (place in the card, what it may fill).
_SECTION_PLACES: dict[str, tuple[str, str]] = {
    "model description": ("configuration", "description"),
    "training details": ("configuration", "fine_tuning_history"),
    "training procedure": ("configuration", "fine_tuning_history"),
    "evaluation": ("evaluations", "evaluations with counts per context (arms)"),
    "testing data, factors & metrics": ("evaluations", "each evaluation's method and behaviour"),
    "results": ("evaluations", "each evaluation's result"),
    "bias, risks, and limitations": ("claims", "claims, and each evaluation's limitations"),
    "recommendations": ("release_gate", "conditions"),
    "out-of-scope use": ("release_gate", "conditions"),
}


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One metric of a model-index result, as the card's `metrics` entry holds it."""

    name: str
    value: int | float


@dataclass(frozen=True, kw_only=True)
class Benchmark:
    """One model-index result, as an evaluation of the card."""

    id: str
    title: str
    method: str
    metrics: tuple[Metric, ...]
    skipped: tuple[str, ...]
    """Metrics that could not be carried over, each said in words (for a TODO comment)."""


@dataclass(frozen=True, kw_only=True)
class HubCard:
    """What a Hugging Face model card states that a safety case card can use."""

    model_name: str | None
    organization: str | None
    benchmarks: tuple[Benchmark, ...]
    base_model: str | None
    front_matter_notes: tuple[tuple[str, str], ...]
    """(key, value in words) of front matter the format has no place for."""
    sections: tuple[Section, ...]
    notes: tuple[str, ...]
    """What was found but not carried over, and why."""


def card_from_readme(raw: bytes, name: str) -> str:
    """The card YAML started from a README's bytes; CardError (located) if the README is unreadable."""
    return render_card(read_readme(raw, name), PurePath(name).name)


# --- reading ------------------------------------------------------------------------------------


def read_readme(raw: bytes, name: str) -> HubCard:
    """The facts of a Hugging Face model card; CardError for text that is not UTF-8 or bad front matter."""
    if len(raw) > MAX_README_BYTES:
        limit = MAX_README_BYTES // 1024 // 1024
        message = f"file is {len(raw) / 1024 / 1024:.1f} MiB; a README to start a card from may be at most {limit} MiB"
        raise CardError([Problem(file=name, message=message)])
    text = decode_text(raw, name)
    front, body = _split(text, name)
    body_line = _line_count(text[: len(text) - len(body)])
    notes: list[str] = []
    index = _first_model_index(front.get("model-index"), notes)
    tokens = _BLOCKS.parse(body)
    inline = _InlineReader()
    model_name = _name("model name", _text_of(index.get("name")) or _title(tokens, inline), notes)
    labels = _labelled_items(tokens, inline)
    organization = _name("organisation (Developed by)", labels.get("developed by"), notes)
    return HubCard(
        model_name=model_name,
        organization=organization,
        benchmarks=_benchmarks(index.get("results"), notes),
        base_model=_words(front.get("base_model")) or labels.get("finetuned from model"),
        front_matter_notes=tuple(
            (key, words) for key in _FRONT_MATTER_NOTES if (words := _words(front.get(key))) is not None
        ),
        sections=_sections(tokens, body_line, inline),
        notes=tuple(notes),
    )


def _split(text: str, name: str) -> tuple[dict[str, Any], str]:
    """(front matter data, body), the front matter split off and read as the card loader does a Markdown card's."""
    front = split_front_matter(text, name)  # opened but never closed: CardError
    if front is None:
        return {}, text
    if all(not line.strip() or line.lstrip().startswith("#") for line in front.yaml.splitlines()):
        return {}, front.body  # empty front matter: nothing to read
    parsed = parse_front_matter(front, name)  # malformed or not a mapping: CardError
    return parsed.data, parsed.narrative


def _line_count(text: str) -> int:
    """Lines in `text` as markdown-it counts them (\\r\\n, \\r and \\n each end one)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _first_model_index(value: Any, notes: list[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        notes.append("model-index: not a list of {name, results} entries, so no results were taken from it")
        return {}
    if len(value) > 1:
        notes.append(f"model-index: only the first of its {len(value)} entries was carried over")
    return value[0]


def _benchmarks(results: Any, notes: list[str]) -> tuple[Benchmark, ...]:
    if results is None:
        return ()
    if not isinstance(results, list):
        notes.append("model-index results: not a list, so none was carried over")
        return ()
    used: set[str] = set()
    benchmarks = []
    for number, result in enumerate(results, start=1):
        if not isinstance(result, dict):
            notes.append(f"model-index result {number}: not a mapping, so it was not carried over")
            continue
        task, dataset = _mapping(result.get("task")), _mapping(result.get("dataset"))
        task_name = _text_of(task.get("name")) or _text_of(task.get("type"))
        dataset_name = _text_of(dataset.get("name")) or _text_of(dataset.get("type"))
        title = " on ".join(t for t in (task_name, dataset_name) if t) or f"model-index result {number}"
        metrics, skipped = _metrics(result.get("metrics"))
        benchmarks.append(
            Benchmark(
                id=_unique_id(dataset_name or task_name or "", used),
                title=title,
                method=_method(task, dataset, result.get("source")),
                metrics=metrics,
                skipped=skipped,
            )
        )
    return tuple(benchmarks)


def _unit(metric: Metric) -> str:
    """`, unit: percent` for a rate given on the 0-100 scale (a model-index accuracy of 63.5), else nothing."""
    return ", unit: percent" if RATE_NAME.search(metric.name) and metric.value > 1 else ""


def _metrics(value: Any) -> tuple[tuple[Metric, ...], tuple[str, ...]]:
    metrics: list[Metric] = []
    if not isinstance(value, list) or not value:
        return (), ("the README gives none" if value is None or value == [] else "the README's are not a list",)
    skipped: list[str] = []
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            skipped.append(f"metric {number} is not a mapping")
            continue
        name = _text_of(entry.get("name")) or _text_of(entry.get("type"))
        number_value = entry.get("value")
        if name is None:
            skipped.append(f"metric {number} has no name or type")
        elif len(name) > MAX_NAME:
            skipped.append(f"metric {number}'s name is longer than {MAX_NAME} characters")
        elif isinstance(number_value, bool) or not isinstance(number_value, int | float):
            skipped.append(f"{name}: its value {_words(number_value) or 'null'} is not a number")
        elif abs(number_value) > MAX_METRIC:
            skipped.append(f"{name}: its value is beyond ±1e300")
        elif RATE_NAME.search(name) and number_value > 100:
            skipped.append(f"{name}: a rate, but its value {number_value:g} is above 100")
        else:
            metrics.append(Metric(name=name, value=number_value))
    return tuple(metrics), tuple(skipped)


def _method(task: dict[str, Any], dataset: dict[str, Any], source: Any) -> str:
    """Where the result comes from, in words: the model-index fields that identify the benchmark."""
    parts = [f"task {t}" for t in [_text_of(task.get("type"))] if t]
    details = [f"{key} {v}" for key in ("config", "split", "revision") if (v := _text_of(dataset.get(key)))]
    dataset_type = _text_of(dataset.get("type"))
    if dataset_type:
        parts.append(f"dataset {dataset_type}" + (f" ({', '.join(details)})" if details else ""))
    if isinstance(source, dict):
        parts.extend(f"source {v}" for v in [_text_of(source.get("url")) or _text_of(source.get("name"))] if v)
    return "Reported in the README's model-index" + (": " + "; ".join(parts) if parts else "") + "."


def _unique_id(text: str, used: set[str]) -> str:
    """An evaluation id (letters, digits, '.', '_', '-'; at most 64) made from `text`, unique in `used`."""
    base = re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-._")[:48].strip("-._") or "result"
    candidate, suffix = base, 2
    while candidate in used:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    used.add(candidate)
    return candidate


def _mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a mapping, else an empty one: a model-index part of another shape says nothing."""
    return value if isinstance(value, dict) else {}


def _text_of(value: Any) -> str | None:
    """A string value, or None for anything else, blank, or the template's placeholder."""
    if not isinstance(value, str) or value.strip().lower() in _PLACEHOLDERS:
        return None
    return value


def _name(what: str, value: str | None, notes: list[str]) -> str | None:
    if value is not None and len(value) > MAX_NAME:
        notes.append(f"{what}: longer than {MAX_NAME} characters, which is not a name")
        return None
    return value


def _words(value: Any) -> str | None:
    """A front matter value in words: a scalar, or a list of scalars joined by commas."""
    items = value if isinstance(value, list) else [value]
    words = [
        item if isinstance(item, str) else json.dumps(item)
        for item in items
        if item is not None and not isinstance(item, dict | list)
    ]
    return ", ".join(words) or None


class _InlineReader:
    """The inline tokens of headings and list items, within MAX_INLINE and INLINE_BUDGET."""

    def __init__(self) -> None:
        self.remaining = INLINE_BUDGET

    def tokens(self, block: Token) -> list[Token]:
        """`block`'s inline tokens; none for text over the limits, as if the block said nothing."""
        size = len(block.content)
        if size > MAX_INLINE or size > self.remaining:
            return []
        self.remaining -= size
        parsed = _INLINE.parseInline(block.content)
        return parsed[0].children or [] if parsed else []


def _inline_text(children: Sequence[Token]) -> str:
    """The text a reader sees of inline tokens, whitespace collapsed."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _title(tokens: Sequence[Token], inline: _InlineReader) -> str | None:
    """The model name from the first level-1 heading ("Model Card for X" gives X)."""
    for i, token in enumerate(tokens[:-1]):
        if token.type == "heading_open" and token.tag == "h1":
            title = _inline_text(inline.tokens(tokens[i + 1]))
            if title.lower().startswith("model card for "):
                title = title[len("model card for ") :].strip()
            return _text_of(title)
    return None


def _labelled_items(tokens: Sequence[Token], inline: _InlineReader) -> dict[str, str]:
    """List items written "**Label:** value", by lower-case label; the first of each label wins."""
    found: dict[str, str] = {}
    for i in range(2, len(tokens)):
        if tokens[i].type != "inline" or tokens[i - 1].type != "paragraph_open":
            continue
        if tokens[i - 2].type != "list_item_open" or not tokens[i].content.startswith(("**", "__")):
            continue
        # markdown-it puts an empty text token before a leading `**`.
        children = [c for c in inline.tokens(tokens[i]) if c.type != "text" or c.content]
        if not children or children[0].type != "strong_open":
            continue
        close = next((j for j, c in enumerate(children) if c.type == "strong_close"), None)
        if close is None:
            continue
        label = _inline_text(children[1:close]).removesuffix(":").strip().lower().removesuffix(" [optional]")
        value = _text_of(_inline_text(children[close + 1 :]).removeprefix(":").strip())
        if label and value is not None:
            found.setdefault(label, value)
    return found


def _sections(tokens: Sequence[Token], body_line: int, inline: _InlineReader) -> tuple[Section, ...]:
    sections = []
    seen: set[tuple[str, str]] = set()
    for i, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or token.map is None:
            continue
        title = _inline_text(inline.tokens(tokens[i + 1]))
        key = " ".join(title.lower().split())
        if key not in _SECTION_PLACES or _SECTION_PLACES[key] in seen:
            continue
        seen.add(_SECTION_PLACES[key])  # one hint per place and field: the first section that fits
        place, hint = _SECTION_PLACES[key]
        sections.append(Section(title=title, line=body_line + token.map[0] + 1, place=place, hint=hint))
    return tuple(sections)


# --- writing ------------------------------------------------------------------------------------


def render_card(card: HubCard, source: str) -> str:
    """The commented card template with what the README states filled in and hints as TODO comments."""
    text = read_bytes("templates", "card.yaml").decode("utf-8")
    text = _replace_once(text, 'schema_version: "1.1"\n', _header(card, source) + 'schema_version: "1.1"\n')
    if card.organization is not None:
        text = _replace_once(
            text,
            "  organization: TODO your organisation\n",
            f'  organization: {_string(card.organization)}  # from the README\'s "Developed by"\n',
        )
    if card.model_name is not None:
        text = _replace_once(
            text, "  name: TODO model name\n", f"  name: {_string(card.model_name)}  # from the README\n"
        )
    configuration = [
        f"TODO {s.hint}: see the README's section {_quoted(s.title)} (line {s.line})."
        for s in card.sections
        if s.place == "configuration"
    ]
    if card.base_model is not None:
        configuration.insert(
            0, f"TODO fine_tuning_history: the README names its base model: {_comment(card.base_model)}"
        )
    text = _replace_once(text, "    - id: release\n", "    - id: release\n" + _comments(configuration, indent=6))
    text = _replace_once(text, "evaluations: []\n", _evaluations(card))
    for place, anchor in (("claims", "claims: []\n"), ("release_gate", "release_gate:\n")):
        hints = [
            f"TODO {s.hint}: see the README's section {_quoted(s.title)} (line {s.line})."
            for s in card.sections
            if s.place == place
        ]
        text = _replace_once(text, anchor, anchor + _comments(hints, indent=2))
    return text


def _header(card: HubCard, source: str) -> str:
    lines = [
        f"Started from the Hugging Face model card {_quoted(source)} by `safetycase init --from`.",
        *_filled(card),
    ]
    if card.front_matter_notes:
        lines.append("The README also states (the submission format has no place for these):")
        lines.extend(f"  {key}: {_comment(words)}" for key, words in card.front_matter_notes)
    if card.notes:
        lines.append("Not carried over:")
        lines.extend(f"  {_comment(note)}" for note in card.notes)
    return _comments(lines, indent=0) + "\n"


def _filled(card: HubCard) -> list[str]:
    filled = [
        what
        for what, value in (
            ("model name", card.model_name),
            ("organisation (Developed by)", card.organization),
            (f"{len(card.benchmarks)} model-index results as evaluations", card.benchmarks),
        )
        if value
    ]
    if not filled:
        return ["Nothing in it maps to the card (no model name, developer or model-index results): all is TODO."]
    return [f"Filled in from it: {', '.join(filled)}.", "Everything else is still TODO."]


def _evaluations(card: HubCard) -> str:
    hints = [
        f"TODO {s.hint}: see the README's section {_quoted(s.title)} (line {s.line})."
        for s in card.sections
        if s.place == "evaluations"
    ]
    if not card.benchmarks:
        return "evaluations: []\n" + _comments(hints, indent=2)
    lines = [
        "evaluations:",
        *_comment_lines(
            [
                "From the README's model-index: capability benchmarks, not tests of alignment faking or",
                "deception, so their category is `other`. Add the deception evaluations below.",
                *hints,
            ],
            indent=2,
        ),
    ]
    for benchmark in card.benchmarks:
        lines += [
            f"  - id: {_string(benchmark.id)}",
            f"    title: {_string(benchmark.title)}",
            "    category: other",
            "    configuration: release            # TODO: the configuration that was tested",
            f"    method: {_string(benchmark.method)}",
        ]
        if benchmark.metrics:
            lines.append("    metrics:")
            lines += [
                f"      - {{name: {_string(m.name)}, value: {json.dumps(m.value)}{_unit(m)}}}"
                for m in benchmark.metrics
            ]
        lines += _comment_lines(
            [
                *(f"TODO metrics: {_comment(note)}" for note in benchmark.skipped),
                "TODO designed_by, run_by, date, prompts (published | held_out | mixed), arms,",
                "result, limitations, samples and evidence: see the example below.",
            ],
            indent=4,
        )
    return "\n".join(lines) + "\n"


def _replace_once(text: str, old: str, new: str) -> str:
    """`text` with its one `old` replaced; a template without exactly one is a bug here, not bad input."""
    if text.count(old) != 1:
        raise RuntimeError(f"templates/card.yaml no longer has exactly one line {old.strip()!r}")
    return text.replace(old, new)


def _string(value: str) -> str:
    """`value` as one double-quoted YAML scalar that loads back as exactly `value`.

    Readable Unicode stays as it is; a value holding an invisible or format character (a
    right-to-left override, say) is written in ASCII escapes, so the file shows what it holds.
    """
    written = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=sys.maxsize).removesuffix("\n")
    if not written.isprintable():
        written = yaml.safe_dump(value, default_style='"', allow_unicode=False, width=sys.maxsize).removesuffix("\n")
    if not written.isprintable():  # a line break here would let README text out of its scalar
        raise RuntimeError("the YAML emitter wrote a string over more than one line")
    return written


def _printable(text: str) -> str:
    """`text` with every character that is not printable (line breaks, controls, format characters) a space."""
    return "".join(c if c.isprintable() else " " for c in text)


def _comment(text: str) -> str:
    """README text for a comment: one line of printable characters, at most _COMMENT_WIDTH long."""
    line = " ".join(_printable(text).split())
    return line if len(line) <= _COMMENT_WIDTH else line[: _COMMENT_WIDTH - 1] + "…"


def _quoted(text: str) -> str:
    return f'"{_comment(text)}"'


def _comment_lines(lines: Sequence[str], *, indent: int) -> list[str]:
    # Made printable again as a last guard: a line break inside a line would end the comment.
    return [f"{' ' * indent}# {_printable(line)}".rstrip() for line in lines]


def _comments(lines: Sequence[str], *, indent: int) -> str:
    return "".join(line + "\n" for line in _comment_lines(lines, indent=indent))
