"""The Docker-aware tokenizer and BM25 (no model needed)."""

from __future__ import annotations

import pytest

from app.retrieval.lexical import LexicalIndex, TypoMatcher, s_stem, tokenize


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("run it with --cap-drop ALL", "--cap-drop"),
        ("edit docker-compose.yml first", "docker-compose.yml"),
        ("the app ignores SIGTERM.", "sigterm"),
        ("mount the config :ro please", ":ro"),
        ("bind to 0.0.0.0:8080, not localhost", "0.0.0.0:8080"),
        ("it exited with 137.", "137"),
        ("add a `.dockerignore` file", ".dockerignore"),
        ("pin nginx:1.27-alpine", "nginx:1.27-alpine"),
        ("use --mount=type=cache", "--mount=type=cache"),
    ],
)
def test_docker_tokens_stay_whole(text: str, token: str) -> None:
    assert token in tokenize(text)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("--cap-drop", {"cap-drop", "cap", "drop", "capdrop"}),
        ("docker-compose.yml", {"docker", "compose", "yml"}),
        ("0.0.0.0:8080", {"8080"}),
        ("multi-stage", {"multistage", "multi", "stage"}),
    ],
)
def test_sub_parts_are_emitted_too(text: str, parts: set[str]) -> None:
    assert parts <= set(tokenize(text))


def test_lowercase_stopwords_and_plurals() -> None:
    assert tokenize("What is the difference between Volumes and Bind Mounts?") == [
        "difference",
        "between",
        "volume",
        "bind",
        "mount",
    ]
    assert tokenize("   ") == []
    assert tokenize("¿Qué es un contenedor?") == ["qué", "es", "un", "contenedor"]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("volumes", "volume"),
        ("policies", "policy"),
        ("images", "image"),
        ("process", "process"),
        ("status", "status"),
        ("vms", "vm"),
        ("sigterm", "sigterm"),
        ("137", "137"),
    ],
)
def test_s_stemmer(word: str, stem: str) -> None:
    assert s_stem(word) == stem


def test_typos_meet_indexed_words() -> None:
    matcher = TypoMatcher({"docker": 9, "volume": 3, "network": 4, "dockerd": 1})
    assert matcher.correct("dokcer") == "docker"  # transposition
    assert matcher.correct("volumn") == "volume"  # substitution
    assert matcher.correct("netwrok") == "network"
    assert matcher.correct("kubernetes") is None
    assert matcher.correct("docker") is None  # already a word


DOCS = [
    "Security > Capabilities\nDrop everything with --cap-drop ALL and add back NET_BIND_SERVICE.",
    "Compose > Files\nThe default file is compose.yaml; docker-compose.yml still works.",
    "Containers > Exit codes\nExit code 137 means SIGKILL, usually the OOM killer.",
    "Volumes > Read-only\nMount config files with :ro so the app cannot change them.",
    "Networking > Ports\nPublishing 0.0.0.0:8080 exposes the port on every interface.",
]


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("cap drop", 0),
        ("cap-drop", 0),
        ("docker-compose.yml", 1),
        ("why does it exit 137", 2),
        ("what does :ro do", 3),
        ("0.0.0.0:8080", 4),
        ("dokcer compose yml file", 1),
        ("sigterm vs sigkill", 2),
    ],
)
def test_bm25_ranks_the_exact_token_first(query: str, best: int) -> None:
    lex = LexicalIndex(DOCS)
    scores = lex.scores(query)
    assert int(scores.argmax()) == best, (query, scores)


def test_no_matching_token_scores_zero() -> None:
    lex = LexicalIndex(DOCS)
    assert not lex.scores("qwertyuiop zxcvb").any()
    assert LexicalIndex([]).scores("anything").shape == (0,)


def test_cached_tokens_are_reused_only_for_the_same_texts(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from app.retrieval import lexical

    folder = Path(str(tmp_path))
    texts = ["docker run --cap-drop ALL", "a volume outlives the container", "exit code 137"]
    first = lexical.cached_lexical(texts, folder)
    [written] = folder.glob("tokens-*.json")
    calls: list[int] = []
    real = lexical._tokenize_all

    def counting(items: list[str]) -> list[list[str]]:
        calls.append(len(items))
        return real(items)

    monkeypatch.setattr(lexical, "_tokenize_all", counting)
    again = lexical.cached_lexical(texts, folder)
    assert calls == []  # read from disk
    query = "cap-drop volumes"
    assert again.scores(query).tolist() == first.scores(query).tolist()
    assert again.vocabulary == first.vocabulary

    lexical.cached_lexical([*texts, "one more"], folder)  # other texts: tokenized afresh
    assert calls == [4]
    written.write_text("{not json", encoding="utf-8")
    fixed = lexical.cached_lexical(texts, folder)  # a corrupt file is replaced, not fatal
    assert calls == [4, 3]
    assert fixed.scores(query).tolist() == first.scores(query).tolist()
