"""Markdown -> sanitised HTML (markdown-it-py + pygments + nh3). User and model text alike."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from app.text import anchor

_FORMATTER = HtmlFormatter(nowrap=True)
_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": {"style"},
    "td": {"style"},
}


def _highlight(code: str, lang: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(lang or "text")
    except ClassNotFound:
        return ""  # markdown-it escapes the code itself
    return str(highlight(code, lexer, _FORMATTER))


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "highlight": _highlight})
    md.enable("table")
    md.enable("strikethrough")
    return md


@lru_cache(maxsize=1)
def _notes_md() -> MarkdownIt:
    """The curated notes: as _md, plus an id on every ## and ### heading (citations link there)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "highlight": _highlight})
    md.enable("table")
    md.enable("strikethrough")
    anchors_plugin(md, min_level=2, max_level=3, slug_func=anchor)
    return md


def _clean(html: str, attributes: dict[str, set[str]]) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def to_html(markdown: str) -> str:
    """Render Markdown and sanitise the result: raw HTML in the input is shown, never run."""
    return _clean(_md().render(markdown), _ALLOWED_ATTRS)


def note_to_html(markdown: str) -> str:
    """A curated note: like to_html, with heading ids (`app.text.anchor`) kept."""
    return _clean(_notes_md().render(markdown), {**_ALLOWED_ATTRS, "h2": {"id"}, "h3": {"id"}})


@dataclass(frozen=True)
class RenderedNote:
    """A note rendered once at start-up; `etag` names its content for HTTP caching."""

    markdown: str
    html: str
    etag: str


def render_note(markdown: str) -> RenderedNote:
    digest = hashlib.sha256(markdown.encode()).hexdigest()[:16]
    return RenderedNote(markdown, note_to_html(markdown), f'"{digest}"')


def pygments_css() -> str:
    return str(HtmlFormatter().get_style_defs(".highlight"))
