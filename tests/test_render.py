"""app.render: sanitised Markdown, and the rendered-notes cache that keeps start-up short."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app import render


def test_notes_are_rendered_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = {1: "## Section 1: One\n\n### First topic\n\n- **bold** `code`\n", 2: "## Two\n"}
    fresh = render.render_notes(notes, tmp_path)
    assert '<h3 id="first-topic">' in fresh[1].html
    [cached] = tmp_path.glob("notes-*.json")

    def refuse(markdown: str) -> str:
        raise AssertionError("rendered although the cache is current")

    monkeypatch.setattr(render, "note_to_html", refuse)
    again = render.render_notes(notes, tmp_path)
    assert again == fresh  # same HTML and ETags

    # a changed note renders afresh and replaces the old file
    monkeypatch.undo()
    changed = render.render_notes({**notes, 2: "## Two, edited\n"}, tmp_path)
    assert "edited" in changed[2].html and changed[2].etag != fresh[2].etag
    assert [p.name for p in tmp_path.glob("notes-*.json")] != [cached.name]
    assert len(list(tmp_path.glob("notes-*.json"))) == 1


def test_a_broken_or_unwritable_cache_still_serves_every_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notes = {3: "## Three\n\n<script>alert(1)</script>\n"}
    render.render_notes(notes, tmp_path)
    [cached] = tmp_path.glob("notes-*.json")
    cached.write_text("{broken", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="app.render"):
        out = render.render_notes(notes, tmp_path)
    assert "unusable" in caplog.text
    assert "<script>" not in out[3].html and "&lt;script&gt;" in out[3].html

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="app.render"):
        out = render.render_notes(notes, blocker / "cache")  # cannot be created
    assert "could not write" in caplog.text
    assert out[3].html == render.note_to_html(notes[3])


def test_warming_loads_the_notes_languages_once_and_renders_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    render._lexer.cache_clear()
    md = "```dockerfile\nFROM alpine:3.22\nRUN apk add --no-cache curl\n```\n"
    render.warm([md, "~~~yaml\nservices: {}\n~~~\n", "```nosuchlanguage\nx\n```\n"])
    assert render._lexer.cache_info().currsize >= 2

    def refuse(name: str) -> None:
        raise AssertionError(f"looked up {name!r} again")

    monkeypatch.setattr(render, "get_lexer_by_name", refuse)
    html = render.to_html(md)
    assert '<pre><code class="language-dockerfile">' in html and '<span class="k">FROM' in html
    # an unknown language is escaped, not highlighted (and not an error)
    assert "<code" in render.to_html("```nosuchlanguage\n<b>x</b>\n```\n")


def test_a_line_renders_inline_and_sanitised() -> None:
    html = render.inline_to_html("What does `-p 8080:80` do? <script>alert(1)</script>")
    assert html.startswith("What does <code>-p 8080:80</code> do?")
    assert "<p>" not in html and "<script>" not in html
