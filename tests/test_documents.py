"""The Markdown, HTML and PDF reports: complete, escaped, self-contained, and fetching nothing.

The PDF is read back with pypdf; overflow is found by walking the boxes of the very layout WeasyPrint
printed it from (each PDF is laid out once: seconds a page). The terminal report shows the card's
control characters escaped.
"""

from __future__ import annotations

import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from conftest import BASE, EXAMPLE_CARDS, ROOT, TODAY, Printed, SharedPrinter, printed, safetycase_process

from checker.pipeline import check_file
from checker.render import FORMATS, RenderOptions
from checker.render import pdf as pdf_render
from checker.render.document import breakable, markdown_quote, markdown_to_html
from checker.render.text import render as render_text
from checker.report import Report
from checker.terminal import BLANK_LOOKING, HIDDEN_CATEGORIES, distinct, escape_hidden, visible, visible_prose
from tests.test_hostile import _permissive_viewer, live_in_output

EXAMPLES = EXAMPLE_CARDS


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        return {str(card): check_file(card, today=TODAY) for card in EXAMPLES}
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def pdfs(reports: dict[str, Report], pdf_printer: SharedPrinter) -> dict[str, Printed]:
    return {card: pdf_printer.report(report) for card, report in reports.items()}


# --- every example, every format ----------------------------------------------------------------


@pytest.mark.parametrize("card", [str(c) for c in EXAMPLES])
def test_markdown_report_has_every_section_and_finding(reports: dict[str, Report], card: str) -> None:
    report = reports[card]
    text = FORMATS["markdown"].render(report)
    assert isinstance(text, str)
    assert text.startswith(f"# Safety case gap report: {report.submission.model} ({report.submission.release_id})\n")
    assert f"## Verdict: {report.verdict.value.upper()}\n" in text
    for heading in ("## Blockers", "## Requirements by area", "## Context comparisons", "## Evidence verification"):
        assert f"\n{heading}\n" in text
    for finding in report.findings:
        assert f"**{finding.severity.value.upper()} {finding.requirement}**" in text
    for requirement in (r for a in report.areas for r in a.requirements):
        assert f"**{requirement.id} {requirement.title}**" in text  # the catalog appendix


@pytest.mark.parametrize("card", [str(c) for c in EXAMPLES])
def test_html_report_is_self_contained(reports: dict[str, Report], card: str) -> None:
    html = FORMATS["html"].render(reports[card])
    assert isinstance(html, str)
    tags = _tags(html)
    names = {name for name, _ in tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed", "base"}
    assert [name for name, _ in tags].count("style") == 1
    assert "url(" not in html and "@import" not in html
    for _, attrs in tags:
        assert "src" not in attrs
        assert not any(key.startswith("on") for key in attrs)
    assert names >= {"svg", "nav", "table"}  # charts inline, contents, tables


@pytest.mark.slow
@pytest.mark.parametrize("card", [str(c) for c in EXAMPLES])
def test_pdf_cover_verdict_blockers_and_metadata(
    reports: dict[str, Report], pdfs: dict[str, Printed], card: str
) -> None:
    report, data = reports[card], pdfs[card].pdf
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert 12 <= len(reader.pages) <= 45
    meta = reader.metadata
    assert meta is not None
    assert meta.title == f"Safety case report: {report.submission.model} ({report.submission.release_id})"
    assert meta.author == f"safetycase {report.checker.version}"
    assert (
        meta.subject
        == f"{report.submission.model}, release {report.submission.release_id}, {report.submission.organization}"
    )
    cover = _flat(reader.pages[0].extract_text())
    s = report.submission
    for field in (s.model, s.release_id, s.organization, s.sha256, report.checker.version, report.profile.name):
        assert field in cover
    assert f"version {report.catalog.version}" in cover
    assert report.generated_on.isoformat() in cover
    assert f"Verdict: {report.verdict.value.upper()}" in cover
    badges = [f"BLOCKER {blocker.requirement} " for blocker in report.findings_of("blocker")]
    text = _text_until_found(reader, badges)
    for badge in badges:
        assert badge in text  # the badge, upper-cased by the stylesheet
    assert "Page 2 of" in _flat(reader.pages[1].extract_text())  # running footer with page numbers
    assert reader.attachments == {}


@pytest.mark.slow
def test_pdf_is_tagged_and_outlined(pdfs: dict[str, Printed]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdfs["examples/orion-7-fail/card.yaml"].pdf))
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    titles = [item.title for item in _flatten(reader.outline)]
    assert titles[0] == "Orion-7"  # the cover's heading holds the rest
    assert "Blockers" in titles and "Appendix B. Sources crosswalk" in titles and "CV Context variation" in titles
    assert "Contents" not in titles


@pytest.mark.slow
@pytest.mark.parametrize("card", [str(c) for c in EXAMPLES])
def test_pdf_does_not_overflow(pdfs: dict[str, Printed], card: str) -> None:
    assert _overflowing(pdfs[card].layout) == []


def test_overflow_detector_can_fail() -> None:
    wide = '<p style="white-space: nowrap">' + "wide " * 400 + "</p>"
    assert _overflowing(printed(lambda: pdf_render.write_pdf(wide, b"2" * 32, pdf_render.ConfinedFetcher())).layout)


# --- hostile card text ------------------------------------------------------------------------

LONG_WORD = "W" * 10_000
HOSTILE = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> <a href="javascript:alert(1)">click</a> '
    "[js](javascript:alert(2)) [ok](https://example.org/a) [rel](docs/method.md) ![leak](file:///etc/hostname) "
    '<svg onload=alert(3)></svg> <style>body{background:url(file:///etc/passwd)}</style> <link rel="attachment" '
    'href="file:///etc/passwd"> </table></div></section> **unbalanced _markdown `code [bracket | pipe # hash '
    f"{LONG_WORD} مرحبا بالعالم שלום עולם 😀🚀👩‍🔬 {{{{ 7*7 }}}} {{% raw %}}"
)
HOSTILE_NAME = '<script>alert("x")</script> | pipe # [js](javascript:y) <img src=x onerror=z> שלום עולם 😀'
HOSTILE_BLOCK = f"# A heading\n\n{HOSTILE}\n\n```\nunclosed fence\n\n> quote\n\n| a | b |\n|---|\n| {LONG_WORD} |\n"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    data = yaml.safe_load(BASE)
    # Names are bounded by the schema (200 characters); free text is not, so long words go there.
    data["submission"]["organization"] = HOSTILE_NAME
    data["model"]["name"] = f"Aster<script>x</script> {'W' * 150}"
    evaluation = data["evaluations"][0]
    evaluation["title"] = HOSTILE
    evaluation["method"] = HOSTILE_BLOCK
    evaluation["result"] = HOSTILE_BLOCK
    evaluation["limitations"] = HOSTILE
    evaluation["samples"][0] = {"input": HOSTILE, "output": HOSTILE_BLOCK}
    data["independent_audits"][0]["findings"] = HOSTILE_BLOCK
    data["claims"][0]["statement"] = HOSTILE
    data["release_gate"]["conditions"] = [HOSTILE]
    folder = tmp_path_factory.mktemp("hostile")
    card = folder / "card.json"
    card.write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
    return check_file(card, today=TODAY)


def test_hostile_text_has_no_live_markup_in_html(hostile_report: Report) -> None:
    html = FORMATS["html"].render(hostile_report)
    assert isinstance(html, str)
    tags = _tags(html)
    names = [name for name, _ in tags]
    assert not set(names) & {"script", "img", "link", "iframe", "object", "embed", "base"}
    assert names.count("style") == 1 and names.count("svg") == 2  # ours only: the stylesheet, two charts
    for _, attrs in tags:
        assert not any(key.startswith("on") for key in attrs), attrs
        if "href" in attrs:
            assert attrs["href"].startswith(("#", "https://example.org/", "docs/")), attrs
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in re.findall(r"\d+", html.split("</style>")[1])[:0]
    assert LONG_WORD in html and "שלום עולם" in html and "😀" in html
    # Card headings do not enter the report's outline.
    assert '<p class="card-heading">A heading</p>' in html


def test_hostile_text_cannot_break_the_markdown_report(hostile_report: Report) -> None:
    text = FORMATS["markdown"].render(hostile_report)
    assert isinstance(text, str)
    assert "<script>" not in text and "<img" not in text and "<link" not in text and "<style>" not in text
    # The organisation cell stays one table row, its pipes escaped.
    (row,) = [line for line in text.splitlines() if line.startswith("| Organization |")]
    assert row.endswith(" |") and "\\| pipe" in row and "&lt;script&gt;" in row
    # Card Markdown stays inside block quotes: its heading and fence never start a line of the report.
    assert "\n# A heading" not in text and "\n```" not in text
    assert "> # A heading" in text
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Verdict: FAIL"
        if hostile_report.verdict.value == "fail"
        else f"## Verdict: {hostile_report.verdict.value.upper()}",
        "## Blockers",
        "## Requirements by area",
        "## Context comparisons",
        "## Evidence verification",
        "## What the card presents",
        "## Appendix A. Requirement catalog",
        "## Appendix B. Sources crosswalk",
    ]


@pytest.mark.slow
def test_hostile_text_prints_without_overflow_or_leaks(hostile_report: Report) -> None:
    html = pdf_render.print_html(hostile_report)
    fetcher = pdf_render.ConfinedFetcher()
    hostile = printed(lambda: pdf_render.write_pdf(html, b"0" * 32, fetcher))
    assert _overflowing(hostile.layout) == []
    assert fetcher.refused == []  # escaped text asks for nothing
    reader = pypdf.PdfReader(io.BytesIO(hostile.pdf))
    assert reader.attachments == {}
    assert _images(reader) == 0


# --- long words in print ---------------------------------------------------------------------------
# WeasyPrint lays a word it cannot break out again for each line the word fills: a 100,000-character
# word took minutes to print. The HTML it is given breaks long words into pieces it can fit.

HUGE_WORD = "w" * 100_000
NARROW = 5_000
"""A word for the narrow places (table cells, a heading, a sample), where each line holds a few characters."""


def _long_words_card(folder: Path) -> Path:
    data = yaml.safe_load(BASE)
    data["submission"]["organization"] = "O" * 200  # names are bounded by the schema
    data["model"]["name"] = "M" * 200
    evaluation = data["evaluations"][0]
    evaluation["method"] = HUGE_WORD
    evaluation["result"] = f"```\n{HUGE_WORD}\n```\n\n`{'c' * NARROW}` [{'l' * NARROW}](https://example.org/)"
    evaluation["title"] = "t" * NARROW
    evaluation["samples"][0] = {"input": "i" * NARROW, "output": "o" * NARROW}
    data["claims"][0]["statement"] = "s" * NARROW
    data["release_gate"]["criteria"][0]["name"] = "n" * NARROW
    card = folder / "card.json"
    card.write_text(json.dumps(data, default=str), encoding="utf-8")
    return card


class _Text(HTMLParser):
    """The text WeasyPrint lays out: every text node but the stylesheet's."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.texts.append(data)


def _longest_unbroken(html: str) -> int:
    parser = _Text()
    parser.feed(html)
    return max(len(run) for text in parser.texts for run in re.split(r"[\s\u200b]+", text))


def test_the_html_given_to_weasyprint_has_no_long_unbroken_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = check_file(_long_words_card(tmp_path), today=TODAY)
    given: list[str] = []
    monkeypatch.setattr(pdf_render, "write_pdf", lambda html, identifier: given.append(html) or b"")
    FORMATS["pdf"].render(report)
    (html,) = given
    assert _longest_unbroken(html) <= 80  # 64, and the punctuation around a sha256: "(sha256 ...)."
    assert html.count("w") >= len(HUGE_WORD)  # the words are broken, not cut
    html_report = FORMATS["html"].render(report)
    assert isinstance(html_report, str)
    assert HUGE_WORD in html_report and "\u200b" not in html_report  # the HTML report keeps them whole for copying


def test_the_longest_unbroken_word_is_found() -> None:
    assert _longest_unbroken(f"<style>{'x' * 99}</style><p>a {'b' * 70}&amp;c\u200bd</p>") == 72


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("a" * 64 + " " + "f" * 64, "a" * 64 + " " + "f" * 64),  # a sha256 in hex stays whole
        ("a" * 65, "\u200b".join(["a" * 16] * 4) + "\u200ba"),
        ("e\u0301" * 40, "\u200b".join(["e\u0301" * 8] * 5)),  # never between a letter and its accent
        ("short words, and a " + "x" * 80 + ".", "short words, and a " + "\u200b".join(["x" * 16] * 5) + "\u200b."),
    ],
)
def test_breakable_breaks_only_long_words(text: str, printed: str) -> None:
    assert breakable(text) == printed


@pytest.mark.slow
def test_a_card_of_long_words_prints(tmp_path: Path) -> None:
    # The timeout only guards against a hang (it took minutes); how long it takes is benchmarks/long_word_speed.py's.
    card = _long_words_card(tmp_path)
    done = safetycase_process("report", card, "-o", tmp_path / "report.pdf")
    assert done.returncode == 0, done.stderr
    assert pypdf.PdfReader(tmp_path / "report.pdf").pages


# --- the fetcher --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "FILE:///etc/hostname", "http://127.0.0.1/x.png", "https://example.org/a.css", "ftp://x/y"],
)
def test_fetcher_refuses_everything_but_small_data(url: str) -> None:
    fetcher = pdf_render.ConfinedFetcher()
    with pytest.raises(pdf_render.RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_small_data_urls_and_refuses_large_ones() -> None:
    fetcher = pdf_render.ConfinedFetcher()
    assert fetcher.fetch("data:text/plain,hello%20there").read() == b"hello there"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    large = "data:text/plain;base64," + "A" * pdf_render.DATA_URL_LIMIT
    with pytest.raises(pdf_render.RefusedURL):
        fetcher.fetch(large)


def test_live_markup_that_reached_the_printer_still_leaks_nothing(tmp_path: Path) -> None:
    # Defence in depth: even if card text reached WeasyPrint as live markup, nothing is read.
    secret = tmp_path / "secret.txt"
    token = "TOKEN-4f1d7c0e-never-in-a-report"
    secret.write_text(token, encoding="utf-8")
    url = secret.as_uri()
    html = (
        f'<html><head><link rel="attachment" href="{url}"><style>body {{ background: url("{url}") }}</style></head>'
        f'<body><img src="{url}"><p>text</p><a rel="attachment" href="{url}">a</a></body></html>'
    )
    fetcher = pdf_render.ConfinedFetcher()
    data = pdf_render.write_pdf(html, b"1" * 32, fetcher)
    assert set(fetcher.refused) == {url}
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert _images(reader) == 0
    assert token.encode() not in data


def test_card_markdown_keeps_only_http_and_relative_links() -> None:
    html = markdown_to_html(
        "[a](https://example.org) [b](http://example.org) [c](notes/x.md) [d](javascript:alert(1)) "
        "[e](file:///etc/passwd) [f](data:text/html,x) [g](vbscript:x) ![h](https://example.org/i.png) <b>raw</b>"
    )
    hrefs = re.findall(r'href="([^"]*)"', html)
    # The image is not an image: it stays the text "!" and a plain link, which fetches nothing.
    assert hrefs == ["https://example.org", "http://example.org", "notes/x.md", "https://example.org/i.png"]
    assert "<img" not in html and "<b>" not in html and "&lt;b&gt;raw&lt;/b&gt;" in html
    assert all('rel="nofollow noopener noreferrer"' in a for a in re.findall(r"<a [^>]*>", html))


def test_markdown_quote_makes_html_inert() -> None:
    assert markdown_quote("line <b>one</b>\n\n# two") == "> line &lt;b&gt;one&lt;/b&gt;\n>\n> # two"


LIVE_MARKDOWN = [
    "![pixel](http://evil.example/p.png)",
    "![by reference][p]\n\n[p]: http://evil.example/p.png",
    "[run](javascript:alert(1))",
    "[entity](javascript&#58;alert(1))",
    "[escaped](javascript\\:alert(1))",
    "[by reference][r]\n\n[r]: javascript:alert(1)",
    "[r]\n\n[r]: <javascript:alert(1)> 'title'",
    "<javascript:alert(1)>",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "[![nested](https://evil.example/n.png)](https://example.org/)",
    "\\\\[a backslash of its own](javascript:alert(1))",
    "\\\\\\\\[two of them](javascript:alert(1))",
    "\\[an escaped bracket\\](javascript:alert(1)) [and a live one](javascript:alert(2))",
    "- a list\n\n  > a quote ![in it](http://evil.example/q.png)",
    '<img src="http://evil.example/raw.png"> <a href="javascript:alert(1)">raw</a>',
]


@pytest.mark.parametrize("card", LIVE_MARKDOWN)
def test_card_markdown_in_the_markdown_report_fetches_and_runs_nothing(card: str) -> None:
    # Each card runs or fetches something when a careless viewer shows it as it is (the failing
    # card); quoted in the report, it is text: no link or image at all, whatever its scheme.
    report = Path("report.md")
    assert live_in_output(report, card) != []
    quoted = markdown_quote(card)
    assert live_in_output(report, quoted) == []
    html = _permissive_viewer().render(quoted)
    assert "<a " not in html and "<img" not in html


def test_card_markdown_in_the_markdown_report_keeps_its_formatting_and_shows_links_as_written() -> None:
    card = (
        "Some *emphasis*, **strong** and `code`, a path C:\\runs\\01.\n\n"
        "- see [the protocol](https://example.org/protocol)\n- 2 < 3 & 4 > 1\n"
    )
    quoted = markdown_quote(card)
    html = _permissive_viewer().render(quoted)
    assert html.startswith("<blockquote>") and html.count("<blockquote>") == 1
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html and "<code>code</code>" in html
    assert "a path C:\\runs\\01." in html
    # The destination is read in full, not hidden behind its label.
    assert "<li>see [the protocol](https://example.org/protocol)</li>" in html and "<a " not in html
    assert "<li>2 &lt; 3 &amp; 4 &gt; 1</li>" in html
    assert live_in_output(Path("report.md"), quoted) == []


def test_card_markdown_keeps_its_own_escapes_and_line_breaks() -> None:
    # Only a backslash before a bracket is doubled: the card's other escapes mean what they meant.
    card = "Literal \\*stars\\* and a hard break\\\nnext line; code `a\\b`."
    html = _permissive_viewer().render(markdown_quote(card))
    assert "Literal *stars* and a hard break<br />" in html and "<em>" not in html
    assert "<code>a\\b</code>" in html


# --- card text on a terminal ----------------------------------------------------------------------

TERMINAL_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""What a terminal acts on, but the newline (every line break the text report makes is its own)."""


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]0;pwned\x07\x1b[2J", "\\x1b]0;pwned\\x07\\x1b[2J"),
        ("one\ntwo\tthree\rfour", "one\\ntwo\\tthree\\rfour"),
        ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),
        ("invoice\u202egpj.exe", "invoice\\u202egpj.exe"),
        (
            "\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d",
            "\\u2066\\u2067\\u2068\\u2069\\u202a\\u202b\\u202c\\u202d",
        ),
        ("\u061c\u200e\u200f", "\\u061c\\u200e\\u200f"),
        ("zero\u200bwidth\u2060joined\ufeff\xadsoft", "zero\\u200bwidth\\u2060joined\\ufeff\\xadsoft"),
        ("tag\U000e0041\U000e007f", "tag\\U000e0041\\U000e007f"),
        ("line\u2028paragraph\u2029", "line\\u2028paragraph\\u2029"),
        ("Zürich — 東京 שלום عالم 😀 C:\\runs\\x1b", "Zürich — 東京 שלום عالم 😀 C:\\runs\\x1b"),
        ("no-break\xa0space and\u3000ideographic", "no-break\xa0space and\u3000ideographic"),
        ("braille\u2800blank hangul\u3164filler", "braille\\u2800blank hangul\\u3164filler"),
    ],
)
def test_visible_escapes_what_a_terminal_acts_on_or_a_reader_cannot_see_and_nothing_else(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert visible(shown) == shown


def test_the_hidden_characters_are_the_unicode_categories() -> None:
    # Spelled out for speed; this Python's Unicode database must agree (a newer one may assign more).
    # And the surrogates U+DC80-U+DCFF: a byte of a file name that is not UTF-8, as Python decodes it.
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        category = unicodedata.category(character)
        escaped = visible(character) != character
        hidden = category in HIDDEN_CATEGORIES or character in BLANK_LOOKING or 0xDC80 <= code <= 0xDCFF
        assert escaped == hidden or (escaped and category == "Cn"), f"U+{code:04X} {category}"


def test_visible_prose_keeps_the_layout_of_the_card_s_text() -> None:
    assert visible_prose("one\r\ntwo\tthree\nfour\rfive\x1b\u202e") == "one\ntwo\tthree\nfour\\rfive\\x1b\\u202e"


@pytest.mark.parametrize(
    ("names", "shown"),
    [
        (("Café", unicodedata.normalize("NFD", "Café")), ("Café", "Cafe\\u0301")),
        (("Acme Lab", "Acme\xa0Lab", "Acme\u200bLab"), ("Acme Lab", "Acme\\xa0Lab", "Acme\\u200bLab")),
        (("\u212bngström", "\xc5ngström"), ("\\u212bngstr\\xf6m", "\xc5ngström")),
    ],
)
def test_distinct_names_never_look_alike(names: tuple[str, ...], shown: tuple[str, ...]) -> None:
    assert tuple(map(distinct, names)) == shown


def test_json_and_xml_write_hidden_characters_as_their_escapes() -> None:
    document = json.dumps({"name": "a\x85b\u202ec\U000e0041"}, ensure_ascii=False, indent=1)
    escaped = escape_hidden(document, lambda c: json.dumps(c)[1:-1])
    assert escaped == '{\n "name": "a\\u0085b\\u202ec\\udb40\\udc41"\n}'
    assert json.loads(escaped) == json.loads(document)


def test_the_text_report_shows_the_card_control_characters_escaped(tmp_path: Path) -> None:
    data = yaml.safe_load(BASE)
    data["submission"]["organization"] = "Lab\x1b]0;pwned\x07\x9b2J"
    data["model"]["name"] = "Aster\r\x1b[1A\x1b[2KVERDICT: PASS"
    audit = data["independent_audits"][0]
    audit["auditor"] = "Evaluators\u202eLtd\nFAKE: all clear"  # quoted by a finding's message
    audit["independence"]["selected_by"] = "lab"
    card = tmp_path / "card\x1b[2J.json"
    card.write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
    report = check_file(card, today=TODAY)
    plain = render_text(report)
    assert not TERMINAL_CONTROL.search(plain)
    words = " ".join(plain.split())
    assert "Aster\\r\\x1b[1A\\x1b[2KVERDICT: PASS (aster-2-2026-11), Lab\\x1b]0;pwned\\x07\\x9b2J" in words
    assert f"'{tmp_path}/card\\x1b[2J.json':" in words  # quoted: a shell reads no backslash bare
    assert "auditor Evaluators\\u202eLtd\\nFAKE: all clear ('audit-1') was selected by the lab alone" in words
    # In colour, the only escape sequences are the report's own.
    coloured = render_text(report, RenderOptions(colour=True))
    assert coloured != plain and re.sub(r"\x1b\[(1;3\d|0)m", "", coloured) == plain


# --- helpers --------------------------------------------------------------------------------------


def _flatten(outline: Any) -> Iterator[Any]:
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _flat(text: str) -> str:
    return " ".join(text.split())


def _text_until_found(reader: pypdf.PdfReader, pieces: list[str]) -> str:
    """The PDF's text, pages joined and spaces flattened, read only as far as the last of `pieces` (all
    of it when one is missing): extracting a page's text takes pypdf tens of milliseconds."""
    pages: list[str] = []
    text = ""
    for page in reader.pages:
        if all(piece in text for piece in pieces):
            break
        pages.append(page.extract_text())
        text = _flat("\n".join(pages))
    return text


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    collector = _TagCollector()
    collector.feed(html)
    return collector.tags


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    if box.style["overflow"] == "hidden":
        return
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def _overflowing(document: Any) -> list[tuple[int, str, float]]:
    """Boxes of a laid-out document whose right edge passes the page's: (page, box type, how far past,
    in CSS px).

    Content clipped by `overflow: hidden` (the running header) is not visible overflow.
    """
    found = []
    for number, page in enumerate(document.pages, start=1):
        root = page._page_box
        limit = root.margin_width()
        for box in _boxes(root):
            if box is root or not hasattr(box, "margin_width") or getattr(box, "position_x", None) is None:
                continue
            excess = box.position_x + box.margin_width() - limit
            if excess > 0.5:
                found.append((number, type(box).__name__, round(excess, 1)))
    return found


def _images(reader: pypdf.PdfReader) -> int:
    return sum(len(page.images) for page in reader.pages)
