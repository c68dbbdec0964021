"""The index's on-disk cache on the real embedding model: reused when the knowledge is the
same, rebuilt (never a crash) when it changed, is damaged or came from another model."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pytest

from app.retrieval.embeddings import PACKAGED, resolve_model_path
from app.settings import Settings
from tests.retrieval.conftest import STEMS, CountingEmbedder, build, cache_folders


def test_second_load_reuses_the_cache(
    tiny_settings: Settings, counting: Callable[..., CountingEmbedder]
) -> None:
    first = counting()
    idx1 = build(tiny_settings, first)
    assert first.texts == len(idx1.chunks) + idx1.unit_count and len(idx1.chunks) >= 4
    second = counting()
    idx2 = build(tiny_settings, second)
    assert second.texts == 0, "a warm cache must not re-embed"
    assert [c.id for c in idx2.chunks] == [c.id for c in idx1.chunks]
    np.testing.assert_array_equal(idx1.vectors, idx2.vectors)
    folders = cache_folders(tiny_settings)
    assert len(folders) == 1 and not folders[0].name.startswith(".tmp")
    names = {p.name for p in folders[0].iterdir()}
    assert {"manifest.json", "chunks.json", "vectors.npy"} <= names
    # besides the vectors only the BM25 tokens (named by the tokenizer's digest), no temp files
    assert [n for n in names - {"manifest.json", "chunks.json", "vectors.npy"}] == [
        n for n in names if n.startswith("tokens-") and n.endswith(".json")
    ]


def test_touching_without_change_reuses_changing_content_rebuilds(
    tiny_settings: Settings, counting: Callable[..., CountingEmbedder]
) -> None:
    build(tiny_settings, counting())
    note = tiny_settings.knowledge_dir / "sections" / f"{STEMS[5]}.md"
    os.utime(note, (1_000_000, 1_000_000))  # mtime alone is not a change
    unchanged = counting()
    build(tiny_settings, unchanged)
    assert unchanged.texts == 0

    note.write_text(note.read_text() + "\nOne more sentence about macvlan.\n")
    changed = counting()
    idx = build(tiny_settings, changed)
    assert changed.texts == len(idx.chunks) + idx.unit_count
    assert any("One more sentence about macvlan" in c.text for c in idx.chunks)
    assert len(cache_folders(tiny_settings)) == 1, "the stale cache is removed"

    bank = tiny_settings.knowledge_dir / "questions" / f"{STEMS[5]}.yaml"
    bank.write_text(bank.read_text().replace("find each other", "find one another"))
    again = counting()
    build(tiny_settings, again)
    assert again.texts > 0, "a question bank is a knowledge file too"

    asked = tiny_settings.knowledge_dir / "asked" / f"{STEMS[5]}.yaml"
    asked.write_text('"Network Drivers": [which network driver should i use]\n')
    keyed = counting()
    idx = build(tiny_settings, keyed)
    assert keyed.texts > 0, "so are a sub-topic's phrasings"
    drivers = next(c for c in idx.chunks if c.heading == "Network Drivers")
    assert drivers.asked_as == ("which network driver should i use",)


def test_a_different_model_name_rebuilds(
    tiny_settings: Settings, counting: Callable[..., CountingEmbedder]
) -> None:
    build(tiny_settings, counting())
    same_weights_other_name = counting(resolve_model_path(PACKAGED))
    build(tiny_settings, same_weights_other_name)
    assert same_weights_other_name.texts > 0
    back = counting()
    build(tiny_settings, back, rebuild=True)
    assert back.texts > 0, "--rebuild always re-embeds"


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("vectors.npy", b"\x93NUMPY garbage"),
        ("vectors.npy", b""),
        ("chunks.json", b'[{"id": "nope"}]'),
        ("chunks.json", b"{not json"),
        ("manifest.json", b"\x00\xff"),
        ("manifest.json", None),  # deleted: an unfinished write
    ],
)
def test_a_corrupt_cache_is_rebuilt_not_a_crash(
    tiny_settings: Settings,
    counting: Callable[..., CountingEmbedder],
    name: str,
    damage: bytes | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = build(tiny_settings, counting())
    target = cache_folders(tiny_settings)[0] / name
    if damage is None:
        target.unlink()
    else:
        target.write_bytes(damage)
    again = counting()
    idx = build(tiny_settings, again)
    assert again.texts == len(good.chunks) + good.unit_count
    assert idx.search("embedded dns")[0].chunk.section == 5
    assert build(tiny_settings, counting()).chunks == good.chunks  # and it is cached again


def test_vectors_of_the_wrong_shape_are_rebuilt(
    tiny_settings: Settings, counting: Callable[..., CountingEmbedder]
) -> None:
    build(tiny_settings, counting())
    np.save(cache_folders(tiny_settings)[0] / "vectors.npy", np.ones((3, 384), dtype=np.float32))
    again = counting()
    build(tiny_settings, again)
    assert again.texts > 0


def test_answer_units_are_embedded_at_build_and_cached(
    tiny_settings: Settings, counting: Callable[..., CountingEmbedder]
) -> None:
    """A clarification encodes only the question: the composer's units come with the index."""
    first = build(tiny_settings, counting())
    assert first.unit_count > len(first.chunks)
    chunk = first.chunks[0]
    units, vectors = first.chunk_units(chunk.id)
    assert units and vectors.shape == (len(units), first.vectors.shape[1])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    again = counting()
    second = build(tiny_settings, again)
    assert again.texts == 0, "the unit vectors come from the cache too"
    np.testing.assert_array_equal(second.chunk_units(chunk.id)[1], vectors)
    assert second.chunk_units("no/such/chunk")[0] == []
    # a bank question's key points are units too, cached with the rest
    bank = next(c for c in second.chunks if c.kind == "question")
    units, vectors = second.chunk_units(bank.id)
    points = [i for i, (kind, _) in enumerate(units) if kind == "point"]
    assert [units[i][1] for i in points] == list(bank.points)
    assert vectors.shape[0] == len(units) and np.isfinite(vectors[points]).all()
