"""What the Markdown, HTML and PDF reports share: the Jinja2 environments and their filters.

Templates get the finished Report and nothing else. The filters only format (numbers, the
card's Markdown as safe HTML, Markdown escaping) and the globals only draw (charts): no figure
is computed here that the report does not hold. A document shows the first ROWS_SHOWN rows of a
table or items of a list (`shown`) and says how many more there are (`more`): a card may hold
25,000 evaluations, a report a reader can read may not.

Everything taken from the card is untrusted. In both kinds, the card's hidden characters
(controls, bidirectional and zero-width ones: checker.terminal) are shown as escapes, as the
text report shows them, in every value and in card Markdown; only its line breaks and tabs,
which lay the text out, are kept. In HTML, Jinja2 escapes every value (autoescape on for the
template whatever its name) and card Markdown is rendered with raw HTML off, images off and
only http(s) or relative links kept. In Markdown, every value passes through `_markdown_escape`
unless a filter here has already made it safe; card Markdown keeps its emphasis, lists and code
but can form no link, image or HTML (`markdown_quote`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence, Sized
from functools import cache, partial
from typing import Literal, TypeVar

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from checker.render import PLACES_SHOWN, ROWS_SHOWN
from checker.render.charts import comparison_chart, score_chart
from checker.resources import read_bytes
from checker.terminal import distinct, visible, visible_prose

T = TypeVar("T")

LONG_WORD = 64
"""In print, a word longer than this (a sha256 in hex is not) gets a break opportunity every BREAK_EVERY characters."""
BREAK_EVERY = 16
_LONG_WORD = re.compile(rf"\S{{{LONG_WORD + 1},}}")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|#!~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
"""Characters that could start Markdown structure; an underscore inside a word cannot (CommonMark)."""
_MARKDOWN_LINK = re.compile(r"(\\*)([\[\]])")
"""What every link and image is made of: a bracket (inline, reference, definition, wiki link,
footnote), with the backslashes before it, which would otherwise cancel its escape. Autolinks need `<`."""


def _link_allowed(url: str) -> bool:
    """Only http(s) links and links without a scheme (relative) survive; javascript:, file:, data: do not."""
    match = _SCHEME.match(url)
    return match is None or match.group(1).lower() in ("http", "https")


@cache
def _card_markdown() -> MarkdownIt:
    # js-default: raw HTML off, nesting capped at 100 (PITFALLS.md). Images off: a report makes
    # no requests, so an image in the card stays text.
    md = MarkdownIt("js-default").disable("image")
    md.validateLink = _link_allowed  # type: ignore[method-assign]
    return md


def _demote(tokens: list[Token]) -> list[Token]:
    """Headings in card text become bold paragraphs (they must not enter the report's outline); links get rel."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "p"
            if token.type == "heading_open":
                token.attrSet("class", "card-heading")
        for child in token.children or ():  # links are inline tokens, inside their paragraph
            if child.type == "link_open":
                child.attrSet("rel", "nofollow noopener noreferrer")
    return tokens


def _broken(word: re.Match[str]) -> str:
    """A long word with a zero-width space every BREAK_EVERY characters (never before a combining mark)."""
    text, pieces, start = word.group(), [], 0
    while start < len(text):
        end = start + BREAK_EVERY
        while end < len(text) and unicodedata.category(text[end]).startswith("M"):
            end += 1
        pieces.append(text[start:end])
        start = end
    return "\u200b".join(pieces)


def breakable(text: str) -> str:
    """`text` with a break opportunity every BREAK_EVERY characters inside each word longer than LONG_WORD.

    For print only: WeasyPrint lays out a word it cannot break again for each line it fills, so a
    100,000-character word took minutes to print; in pieces, the same word prints in a second. A
    zero-width space is what WeasyPrint makes of <wbr> too, and, unlike a tag, it is safe in any
    place a value may stand (a title, an attribute).
    """
    return _LONG_WORD.sub(_broken, text)


def _with_breaks(tokens: list[Token]) -> list[Token]:
    """The card's Markdown, its long words `breakable` wherever it shows text (never in a link's address)."""
    for token in tokens:
        if token.type in ("code_block", "fence"):
            token.content = breakable(token.content)
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                child.content = breakable(child.content)
    return tokens


def markdown_to_html(text: str | None, *, for_print: bool = False) -> Markup:
    """The card's Markdown as HTML that carries no live markup from the card; for print, its long words `breakable`."""
    if not text:
        return Markup("")
    md = _card_markdown()
    tokens = _demote(md.parse(visible_prose(text)))
    return Markup(md.renderer.render(_with_breaks(tokens) if for_print else tokens, md.options, {}))


def _html_text(value: object) -> object:
    """Jinja2's `finalize` for HTML: text shows its hidden characters (autoescape then makes it inert)."""
    return visible_prose(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def _print_text(value: object) -> object:
    """Jinja2's `finalize` for the HTML to print: `_html_text`, its long words `breakable`."""
    return breakable(visible_prose(value)) if isinstance(value, str) and not isinstance(value, Markup) else value


def _markdown_escape(value: object) -> object:
    """Jinja2's `finalize` for Markdown: text is escaped so that it cannot change the report's structure."""
    if isinstance(value, Markup) or value is None or isinstance(value, bool | int | float):
        return value
    # One line: a newline could end a table row or start a block.
    text = visible(re.sub(r"\s*[\r\n]+\s*", " ", str(value)))
    # < and > as entities, not backslash escapes: every Markdown renderer decodes entities to text.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", text))


def markdown_quote(text: str | None) -> Markup:
    """Card Markdown for the Markdown report: a block quote, so it stays inside its section, that
    neither runs nor fetches anything in any viewer.

    HTML and autolinks are inert (`<`, `>` and `&` as entities). Links and images cannot form: every
    bracket is escaped (and each backslash before one doubled), so `[text](url)` shows as itself.
    That is what an auditor should read: the destination in full, not a label that may hide it,
    and an image as the address it would fetch. No link survives for a viewer to judge, whatever
    its dialect; viewers that link bare addresses (GitHub, GitLab) still make the http(s) ones
    clickable, never a javascript: or data: one. The card's other escapes (`\\*`) are kept. The
    price: inside code, where escapes do not apply, a bracket shows its backslash (`a\\[0\\]`), as
    `<` shows as `&lt;`; telling code from text would take the viewer's own parser, and a parser
    that disagreed with it would let a link through.
    """
    if not text:
        return Markup("")
    inert = visible_prose(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = _MARKDOWN_LINK.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), inert).splitlines()
    return Markup("\n".join(f"> {line}".rstrip() for line in lines))


def code(value: object) -> Markup:
    """Inline code in Markdown: a backtick fence longer than any run of backticks in the value."""
    # One line; a pipe is escaped because GitHub's tables split cells on it even inside code.
    text = visible(" ".join(str(value).split())).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{padding}{text}{padding}{fence}")


def percent(value: float, digits: int = 1) -> str:
    """0.1417 -> '14.2%'."""
    return f"{value * 100:.{digits}f}%"


def points(value: float, digits: int = 1, signed: bool = True) -> str:
    """A difference of proportions in percentage points: 0.1139 -> '+11.4 pp'."""
    shown = f"{value * 100:+.{digits}f}" if signed else f"{value * 100:.{digits}f}"
    return f"{shown.replace('-', '−')}\u00a0pp"  # a no-break space: a number never parts from its unit


def p_value(value: float) -> str:
    """Three significant figures, scientific under 0.001: 0.398, 0.0412, 1.23e-07."""
    if value >= 0.001:
        return f"{value:.3g}"
    return f"{value:.2e}"


def figure(value: object) -> str:
    """A figure from a finding in plain words: true/false/none, lists joined (the first ROWS_SHOWN), floats to 4 figures."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        more = f", … {len(value) - ROWS_SHOWN:,} more" if len(value) > ROWS_SHOWN else ""
        return ", ".join(figure(v) for v in value[:ROWS_SHOWN]) + more
    if isinstance(value, dict):
        return "; ".join(f"{k}: {figure(v)}" for k, v in value.items())
    return str(value)


def shown(items: Sequence[T]) -> Sequence[T]:
    """The first ROWS_SHOWN items of a list, for a table or a list in a document."""
    return items[:ROWS_SHOWN]


def more(items: Sized, what: str = "") -> str:
    """'and 24,975 more evaluations' when a document shows only the first ROWS_SHOWN of `items`; else empty."""
    left = len(items) - ROWS_SHOWN
    return f"and {left:,} more {what}".rstrip() if left > 0 else ""


def _template_source(name: str) -> str:
    return read_bytes("templates", name).decode("utf-8")


Kind = Literal["html", "print", "markdown"]
"""HTML (autoescaped), HTML to print (the same, long words breakable), or Markdown (escaped by `finalize`)."""
_FINALIZE = {"html": _html_text, "print": _print_text, "markdown": _markdown_escape}


@cache
def environment(kind: Kind) -> jinja2.Environment:
    """The environment for templates of that kind."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=kind != "markdown",
        finalize=_FINALIZE[kind],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(percent=percent, points=points, p_value=p_value, figure=figure, shown=shown, more=more)
    env.globals.update(places_shown=PLACES_SHOWN, rows_shown=ROWS_SHOWN)
    if kind == "markdown":
        env.filters.update(quote=markdown_quote, code=code)
    else:
        env.filters.update(markdown=partial(markdown_to_html, for_print=kind == "print"), distinct=distinct)
        env.globals.update(score_chart=score_chart, comparison_chart=comparison_chart)
    return env


def render_template(name: str, kind: Kind, **context: object) -> str:
    return environment(kind).get_template(name).render(**context)


__all__ = [
    "Kind",
    "breakable",
    "environment",
    "markdown_quote",
    "markdown_to_html",
    "render_template",
]
