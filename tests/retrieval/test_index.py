"""The hybrid index on the real embedding model: search behaviour (its cache: test_cache.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import BadInput
from app.retrieval.embeddings import Embedder
from app.retrieval.index import QUERY_CACHE, Hit, HybridIndex
from app.settings import Settings
from tests.retrieval.conftest import (
    NOTES,
    CountingEmbedder,
    build,
    make_settings,
    write_knowledge,
)

# ---------------------------------------------------------------- search


@pytest.fixture(scope="module")
def mini_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> HybridIndex:
    root = tmp_path_factory.mktemp("mini")
    return build(
        make_settings(write_knowledge(root / "knowledge"), root), CountingEmbedder(embedder)
    )


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("why does my container exit with 137", 4),
        ("how do containers find each other by name", 5),
        ("volume vs bind mount", 6),
        ("mount config read only :ro", 6),
        ("what does docker stop send", 4),
    ],
)
def test_hybrid_finds_the_right_section(mini_index: HybridIndex, query: str, section: int) -> None:
    hits = mini_index.search(query, k=3)
    assert hits and hits[0].chunk.section == section, [h.chunk.id for h in hits]


def test_hits_are_ranked_with_scores_and_json(mini_index: HybridIndex) -> None:
    hits = mini_index.search("restart policy unless-stopped", k=5)
    assert len(hits) == 5
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1
    body = hits[0].to_json()
    assert {"section", "heading", "score", "text", "citation", "kind", "id"} <= body.keys()
    assert body["citation"] == f"Section {body['section']} > {body['heading']}"
    json.dumps([h.to_json() for h in hits])


@pytest.mark.parametrize("query", ["", "   ", "\n\t "])
def test_empty_query_is_bad_input(mini_index: HybridIndex, query: str) -> None:
    with pytest.raises(BadInput, match="empty"):
        mini_index.search(query)


def test_a_10000_character_query_is_truncated_and_ranked(mini_index: HybridIndex) -> None:
    query = ("my container keeps exiting with code 137 after the OOM killer runs " * 200)[:10_000]
    hits = mini_index.search(query, k=3)
    assert len(hits) == 3 and hits[0].chunk.section == 4
    assert len(mini_index.search("x" * 10_000, k=2)) == 2  # one giant "word"


@pytest.mark.parametrize(
    "query",
    [
        "¿Por qué mi contenedor se detiene con el código 137?",
        "Wie funktionieren Volumes?",
        "容器之间如何通过名称互相访问",
        "Почему контейнер падает?",
    ],
)
def test_non_english_queries_return_a_ranked_list(mini_index: HybridIndex, query: str) -> None:
    hits = mini_index.search(query, k=4)
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_modes_and_section_filter(mini_index: HybridIndex) -> None:
    for mode in ("hybrid", "dense", "bm25"):
        hits = mini_index.search("embedded dns 127.0.0.11", k=2, mode=mode)
        assert hits[0].chunk.section == 5, mode
    only6 = mini_index.search("exit code 137", k=5, sections=[6])
    assert only6 and {h.chunk.section for h in only6} == {6}
    assert mini_index.search("exit code 137", sections=[12]) == []  # no such section yet
    with pytest.raises(BadInput, match="mode"):
        mini_index.search("dns", mode="fuzzy")
    with pytest.raises(BadInput, match="section 21"):
        mini_index.search("dns", sections=[21])
    with pytest.raises(BadInput, match="k must be"):
        mini_index.search("dns", k=0)
    assert mini_index.search("qwertyuiop", mode="bm25") == []  # BM25 alone has nothing


def test_near_duplicate_chunks_are_returned_once(
    tmp_path: Path, counting: Callable[..., CountingEmbedder]
) -> None:
    dns = NOTES[5].split("### Service Discovery & DNS (IMP)")[1].split("### Publishing")[0]
    notes = {5: NOTES[5]}
    notes[4] = NOTES[4].replace("### Stopping Gracefully", f"### DNS Again{dns}### Stopping")
    kdir = write_knowledge(tmp_path / "knowledge", notes)
    idx = build(make_settings(kdir, tmp_path), counting())
    hits = idx.search("embedded DNS server 127.0.0.11 resolves names", k=5)
    texts = [h.chunk.text.strip() for h in hits]
    assert len(texts) == len(set(texts)) == 5
    assert sum(t.startswith("User-defined bridge networks run an embedded DNS") for t in texts) == 1
    dupes = [c for c in idx.chunks if c.text.startswith("User-defined bridge networks run")]
    assert len(dupes) == 2, "the index holds both copies; search returns one"


# ---------------------------------------------------------------- cache


def test_empty_knowledge_gives_an_empty_index(
    tmp_path: Path, counting: Callable[..., CountingEmbedder]
) -> None:
    kdir = tmp_path / "knowledge"
    (kdir / "sections").mkdir(parents=True)
    idx = build(make_settings(kdir, tmp_path), counting())
    assert len(idx) == 0 and idx.search("anything") == []


def test_hit_json_shape() -> None:
    from app.retrieval.chunking import Chunk

    chunk = Chunk("s05/dns/0", 5, "Docker Networking", "DNS", "note", "text", True)
    assert Hit(chunk, 0.812345).to_json() == {
        "section": 5,
        "heading": "DNS",
        "score": 0.8123,
        "text": "text",
        "citation": "Section 5 > DNS",
        "anchor": "dns",
        "kind": "note",
        "id": "s05/dns/0",
        "imp": True,
    }
    bank = Chunk(
        "q/net-dns", 5, "Docker Networking", "Interview question: How ...", "question", "t"
    )
    assert Hit(bank, 0.5).to_json()["anchor"] == "q-net-dns"  # its entry on the page


def test_the_query_vector_is_computed_once_per_question(
    tiny_settings: Settings, counting: Callable[..., CountingEmbedder]
) -> None:
    embedder = counting()
    idx = build(tiny_settings, embedder)
    before = embedder.texts
    idx.search("embedded dns between containers")
    vec = idx.query_vector("embedded dns between containers")
    assert embedder.texts == before + 1, "search then compose: one encoding"
    assert vec.shape == (idx.vectors.shape[1],)


def test_the_query_is_embedded_with_chat_shorthand_spelt_out(
    tiny_settings: Settings, embedder: Embedder
) -> None:
    """all-MiniLM-L6-v2 puts "k8s" 0.47 from "kubernetes": the model reads the words in full."""
    idx = build(tiny_settings, embedder)
    typed = idx.query_vector("compose in prod vs k8s")
    spelt = embedder.encode(["compose in production vs kubernetes"])[0]
    assert float(typed @ spelt) > 0.999
    assert float(typed @ embedder.encode(["compose in prod vs k8s"])[0]) < 0.95


def test_searches_from_several_threads_share_the_query_memory_safely(
    mini_index: HybridIndex,
) -> None:
    """/api/search and the interview's rubric lookups search from worker threads while chat
    searches on the event loop: with more distinct queries than it keeps, every caller gets its
    own query's vector. (The race this guards against, two threads evicting the same oldest
    entry of a hand-made dict, was too rare to reproduce here; the memory is now lru_cache,
    which is thread-safe by contract.)"""
    from concurrent.futures import ThreadPoolExecutor

    queries = [f"how do volumes work, take {i}" for i in range(QUERY_CACHE + 40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        vectors = list(pool.map(mini_index.query_vector, queries))
    assert all(v.shape == (mini_index.vectors.shape[1],) for v in vectors)
    for i in (0, len(queries) // 2, len(queries) - 1):  # each its own, not a neighbour's
        alone = mini_index.embedder.encode([queries[i]])[0]
        assert float(alone @ vectors[i]) > 0.9999


def test_bm25_also_reads_the_words_chat_shorthand_stands_for(
    tiny_settings: Settings, embedder: Embedder
) -> None:
    """The notes never say "ctr" or "img": without the spelt-out word, a query's other rare
    words ("2gb") decide the lexical rank alone ("biggest wins for shrinking a 2gb img")."""
    idx = build(tiny_settings, embedder)
    typed = idx.search("ctr", mode="bm25")
    spelt = idx.search("container", mode="bm25")
    assert typed and [h.chunk.id for h in typed] == [h.chunk.id for h in spelt]
