"""Shared fixtures: real settings on temp folders, the real packaged embedding model."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from app.catalog import SECTION_TITLES
from app.notes_format import closing_question
from app.settings import ROOT, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

KNOWLEDGE = ROOT / "knowledge"


def build_note(number: int, *, words: int = 420, closing: str | None = None) -> str:
    """A note that passes the fixed format; tests break it one rule at a time."""
    title = SECTION_TITLES[number]
    filler = " ".join(["containers share the host kernel and isolate processes"] * (words // 8))
    return f"""## Section {number}: {title}

A short overview of the topic. It says what matters for interviews.

### Containers vs Virtual Machines (IMP)

{filler}

| Feature | Container | VM |
| --- | --- | --- |
| Kernel | shared | own |

### Commands

```bash
docker run --rm -it alpine:3.20 sh
```

### Pitfalls and Practices

- **Common Pitfall:** running as root.
- **Best Practice:** pin image versions.
- **Version Note:** BuildKit is the default builder since Docker Engine 23.0.
- **Analogy:** containers are flats in one building; VMs are separate houses.

{closing if closing is not None else closing_question(number)}
"""


@pytest.fixture
def make_note() -> Callable[..., str]:
    return build_note


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on the real knowledge, the database in a temp folder; the index cache is shared
    (it is keyed by a content hash, so sharing is safe; cache tests use folders of their own)."""
    return Settings(
        knowledge_dir=KNOWLEDGE, data_dir=tmp_path / "data", index_dir=ROOT / "data" / "index"
    )


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from app.retrieval.embeddings import shared_embedder

    return shared_embedder()


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A temp data folder, with the index cache shared with `make run` (keyed by content hash)."""
    return Settings(
        knowledge_dir=KNOWLEDGE,
        data_dir=tmp_path_factory.mktemp("data"),
        index_dir=ROOT / "data" / "index",
    )


@pytest.fixture(scope="session")
def kb():  # type: ignore[no-untyped-def]
    from app import knowledge

    return knowledge.load(KNOWLEDGE)


@pytest.fixture(scope="session")
def index(session_settings: Settings, kb, embedder):  # type: ignore[no-untyped-def]
    from app.retrieval.cache import load_or_build

    return load_or_build(session_settings, kb, embedder=embedder)


@pytest.fixture(scope="session")
def openai_server():  # type: ignore[no-untyped-def]
    from tests.support.openai_server import ScriptedOpenAIServer

    server = ScriptedOpenAIServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def scripted(openai_server):  # type: ignore[no-untyped-def]
    """The scripted OpenAI-compatible server, emptied for this test."""
    openai_server.reset()
    return openai_server


@pytest.fixture(scope="session")
def postgres_url():  # type: ignore[no-untyped-def]
    """A private PostgreSQL server on loopback for the session (see tests/support/postgres.py)."""
    from tests.support.postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def smollm2_url():  # type: ignore[no-untyped-def]
    """One real weak LLM for the whole run: SmolLM2-135M under llama.cpp (xllamacpp) on loopback
    with a 4k context (tests/support/smollm2.py, shared with bench/serve_smollm2.py)."""
    from tests.support.smollm2 import smollm2_server

    with smollm2_server(n_ctx=4096) as url:
        yield url
