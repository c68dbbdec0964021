"""Markdown -> sanitised HTML (markdown-it-py + pygments + nh3). User and model text alike."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown_it
import mdit_py_plugins
import nh3
import pygments
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from app import text
from app.files import write_atomic
from app.text import anchor

log = logging.getLogger(__name__)

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


@lru_cache(maxsize=64)
def _lexer(lang: str) -> Lexer | None:
    """The lexer for a fence's language, or None. Looked up once: the first lookup imports the
    lexer's module and compiles its rules (3-40 ms), which a reply should not pay."""
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


def _highlight(code: str, lang: str, _attrs: str) -> str:
    lexer = _lexer(lang or "text")
    if lexer is None:
        return ""  # markdown-it escapes the code itself
    return str(highlight(code, lexer, _FORMATTER))


_FENCE = re.compile(r"^ {0,3}(?:```|~~~)[ \t]*([\w+#.-]+)", re.MULTILINE)


def warm(markdowns: Iterable[str]) -> None:
    """Load the lexers of every fence language in `markdowns` (the notes: what replies quote)
    and render once, so the first replies do not pay for the loading."""
    langs = {m.group(1).lower() for md in markdowns for m in _FENCE.finditer(md)}
    for lang in sorted(langs | {"text"}):  # "text": a fence without a language
        if (lexer := _lexer(lang)) is not None:
            highlight("x", lexer, _FORMATTER)
    to_html("**warm** `up`\n\n| a |\n|---|\n| b |\n")


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


def inline_to_html(markdown: str) -> str:
    """One line of Markdown (a question, a key point) as sanitised inline HTML: `code`, emphasis
    and links, no paragraph around it."""
    return _clean(_md().renderInline(markdown), _ALLOWED_ATTRS)


def note_to_html(markdown: str) -> str:
    """A curated note: like to_html, with heading ids (`app.text.anchor`) kept."""
    return _clean(_notes_md().render(markdown), {**_ALLOWED_ATTRS, "h2": {"id"}, "h3": {"id"}})


@dataclass(frozen=True)
class RenderedNote:
    """A note rendered once at start-up; `etag` names its content for HTTP caching."""

    markdown: str
    html: str
    etag: str


def render_note(markdown: str, html: str | None = None) -> RenderedNote:
    digest = hashlib.sha256(markdown.encode()).hexdigest()[:16]
    return RenderedNote(markdown, note_to_html(markdown) if html is None else html, f'"{digest}"')


def _notes_key(markdowns: Mapping[int, str]) -> str:
    """sha256 over the renderer (this module, app.text's anchors, the libraries' versions) and
    every note: a change to any of them renders afresh."""
    h = hashlib.sha256()
    for source in (__file__, text.__file__):
        h.update(Path(source).read_bytes())
    for lib in (markdown_it, mdit_py_plugins, nh3, pygments):
        h.update(f"{lib.__name__}={getattr(lib, '__version__', '?')}\0".encode())
    for number in sorted(markdowns):
        h.update(f"{number}\0{len(markdowns[number])}\0{markdowns[number]}".encode())
    return h.hexdigest()


def render_notes(markdowns: Mapping[int, str], cache_dir: Path | None) -> dict[int, RenderedNote]:
    """Every note rendered once. Rendering all 20 costs ~0.3 s of start-up, so the HTML is kept
    in `cache_dir` (one JSON file named by `_notes_key`); a missing, stale or unreadable file
    renders afresh, and a cache that cannot be written is only logged."""
    key = _notes_key(markdowns)
    path = cache_dir / f"notes-{key[:24]}.json" if cache_dir is not None else None
    if path is not None and path.is_file():
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if cached.get("key") == key and set(cached["html"]) == {str(n) for n in markdowns}:
                return {n: render_note(md, cached["html"][str(n)]) for n, md in markdowns.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("rendered-notes cache %s is unusable (%s); rendering afresh", path, exc)
    notes = {n: render_note(md) for n, md in markdowns.items()}
    if path is not None:
        _write_notes(path, key, notes)
    return notes


def _write_notes(path: Path, key: str, notes: Mapping[int, RenderedNote]) -> None:
    """Write the cache atomically; drop older ones."""
    body = {"key": key, "html": {str(n): note.html for n, note in notes.items()}}
    try:
        write_atomic(path, json.dumps(body, ensure_ascii=False).encode("utf-8"))
        for old in path.parent.glob("notes-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not write the rendered-notes cache %s: %s", path, exc)


def pygments_css() -> str:
    return str(HtmlFormatter().get_style_defs(".highlight"))
