"""The PDF report: the HTML report printed by WeasyPrint, fetching nothing, its long words breakable.

WeasyPrint's default fetcher reads file: and network URLs (PITFALLS.md). The HTML we print
carries its styles and charts inline, so the fetcher here serves nothing from outside: it
answers only small data: URLs and refuses every other URL before anything is opened. The render
uses no base URL and no presentational hints, and is reproducible: with SOURCE_DATE_EPOCH set,
the PDF's identifier, dates and font subsets are fixed, so the same report gives the same bytes.

WeasyPrint is imported here, and this module only when a PDF is asked for (it costs ~0.5 s).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from functools import cache
from typing import Any
from urllib.parse import unquote_to_bytes

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from checker.render import RenderOptions
from checker.render.document import render_template
from checker.report import Report

DATA_URL_LIMIT = 16 * 1024
"""The largest data: URL served, in bytes of the URL."""


class RefusedURL(ValueError):
    """A resource the report asked for and the fetcher would not serve."""


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves small data: URLs and refuses everything else (file:, http:, https:, ...), opening nothing."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.lower().startswith("data:") and len(url) <= DATA_URL_LIMIT:
            meta, _, payload = url[5:].partition(",")
            media_type = meta.split(";")[0] or "text/plain"
            base64_encoded = meta.endswith(";base64")
            body = base64.b64decode(payload, validate=False) if base64_encoded else unquote_to_bytes(payload)
            return URLFetcherResponse(url, body, headers={"Content-Type": media_type})
        self.refused.append(url)
        raise RefusedURL(f"safetycase reports fetch nothing: refused {url[:80]}")


@cache
def _fonts() -> FontConfiguration:
    """One font configuration for every PDF of a run (building one costs time)."""
    return FontConfiguration()


def write_pdf(html: str, identifier: bytes, fetcher: ConfinedFetcher | None = None) -> bytes:
    """Print HTML to PDF with the confined fetcher; WeasyPrint's warnings about refused URLs are kept quiet."""
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher or ConfinedFetcher())
        pdf: bytes = document.write_pdf(
            font_config=_fonts(),
            pdf_identifier=identifier,
            pdf_tags=True,
            presentational_hints=False,
            uncompressed_pdf=False,
        )
    finally:
        logger.setLevel(level)
    return pdf


def print_html(report: Report) -> str:
    """The HTML report as it is printed: long words breakable (checker.render.document.breakable)."""
    return render_template("report.html.j2", "print", report=report)


def render(report: Report, options: RenderOptions | None = None) -> bytes:
    html = print_html(report)
    # The identifier is derived from the content, so the same report always gets the same one.
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    return write_pdf(html, identifier)
