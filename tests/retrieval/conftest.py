"""A small knowledge folder of our own, so retrieval tests do not depend on the real content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from app import knowledge
from app.catalog import SECTION_TITLES
from app.notes_format import closing_question
from app.retrieval.cache import load_or_build
from app.retrieval.embeddings import Embedder
from app.retrieval.index import HybridIndex
from app.settings import Settings

LONG_FILLER = (
    "Named volumes live under the Docker data root and survive container removal, while the "
    "container's writable layer disappears with the container. "
)


def _paragraphs(n: int, words_each: int = 60) -> str:
    para = " ".join((LONG_FILLER * 5).split()[:words_each])
    return "\n\n".join(f"Paragraph {i}: {para}" for i in range(n))


NOTES: dict[int, str] = {
    4: f"""## Section 4: {SECTION_TITLES[4]}

Containers are processes with a lifecycle: created, running, paused, exited.

### Exit Codes and OOM Kills (IMP)

- Exit code **137** means the process got SIGKILL, most often from the OOM killer when the
  container hit its `--memory` limit; 143 means SIGTERM.
- `docker inspect --format '{{{{.State.OOMKilled}}}}' app` tells you whether memory was the cause.

```bash
docker run --memory 256m --name app myimage
docker inspect --format '{{{{.State.OOMKilled}}}}' app
```

### Restart Policies

| Policy | Restarts after crash | Restarts after daemon restart |
| --- | --- | --- |
| no | no | no |
| always | yes | yes |
| unless-stopped | yes | only if it was running |

### Stopping Gracefully

`docker stop` sends SIGTERM, waits 10 seconds, then sends SIGKILL. Use the exec form of CMD so
your app is PID 1 and receives the signal.

**Common Pitfall:** shell-form CMD swallows SIGTERM.

{closing_question(4)}
""",
    5: f"""## Section 5: {SECTION_TITLES[5]}

Docker networking connects containers to each other and to the outside world.

### Network Drivers (IMP)

| Driver | Scope | Use |
| --- | --- | --- |
| bridge | single host | default for standalone containers |
| host | single host | no isolation, no port mapping |
| overlay | multi host | Swarm services across nodes |
| macvlan | single host | container gets a MAC address on the LAN |

### Service Discovery & DNS (IMP)

User-defined bridge networks run an embedded DNS server at 127.0.0.11, so containers resolve
each other by name. The default bridge network has no DNS by name.

```bash
docker network create appnet
docker run -d --network appnet --name db postgres:16
```

### Publishing Ports

`-p 0.0.0.0:8080:80` publishes container port 80 on every host interface; bind to 127.0.0.1 to
keep it local. Drop capabilities with `--cap-drop NET_RAW` if the app never needs raw sockets.

{closing_question(5)}
""",
    6: f"""## Section 6: {SECTION_TITLES[6]}

Storage in Docker: named volumes, bind mounts and tmpfs, and what survives a container.

### Volumes vs Bind Mounts (IMP)

{_paragraphs(4)}

```yaml
services:
  db:
    image: postgres:16

    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata: {{}}
```

{_paragraphs(3)}

| Type | Managed by | Typical use |
| --- | --- | --- |
| named volume | Docker | databases |
| bind mount | you | source code in development |
| tmpfs | memory | secrets, scratch |

{_paragraphs(4)}

### Read-only Mounts

Mount configuration with `:ro`, for example `-v ./nginx.conf:/etc/nginx/nginx.conf:ro`.

{closing_question(6)}
""",
}


def _question(
    qid: str, question: str, answer: str, imp: bool = False, asked_as: tuple[str, ...] = ()
) -> dict[str, object]:
    return {
        "id": qid,
        "question": question,
        "asked_as": list(asked_as),
        "imp": imp,
        "level": "mid",
        "key_points": ["first point", "second point"],
        "model_answer": answer,
        "follow_ups": ["And then?"],
    }


QUESTIONS: dict[int, list[dict[str, object]]] = {
    4: [
        _question(
            "mini-exit-137",
            "Your container keeps exiting with code 137. What happened?",
            "137 is 128 + 9: the process was SIGKILLed, usually by the OOM killer after hitting "
            "the memory limit. Check State.OOMKilled and raise --memory or fix the leak.",
            imp=True,
            asked_as=("why does my ctr keep dying with 137",),
        ),
    ],
    5: [
        _question(
            "mini-dns",
            "How do containers on a user-defined network find each other?",
            "Through Docker's embedded DNS server at 127.0.0.11, which resolves container and "
            "service names on user-defined networks; the default bridge does not do this.",
            imp=True,
        ),
    ],
    6: [],
}

STEMS = {4: "04-containers", 5: "05-networking", 6: "06-volumes-storage"}


# how candidates type what a sub-topic answers (knowledge/asked/): search keys, never shown
ASKED: dict[int, dict[str, list[str]]] = {
    4: {"Stopping Gracefully": ["docker stop always takes 10 secs", "app never sees sigterm"]},
}


def write_knowledge(root: Path, notes: dict[int, str] | None = None) -> Path:
    """knowledge/sections, questions and asked for sections 4-6 under `root`."""
    for folder in ("sections", "questions", "asked"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for n, body in (notes or NOTES).items():
        front = f"---\nnumber: {n}\ntitle: {SECTION_TITLES[n]}\naliases: []\n---\n"
        (root / "sections" / f"{STEMS[n]}.md").write_text(front + body, encoding="utf-8")
        if QUESTIONS.get(n):
            (root / "questions" / f"{STEMS[n]}.yaml").write_text(
                yaml.safe_dump(QUESTIONS[n], sort_keys=False), encoding="utf-8"
            )
        if ASKED.get(n) and "### Stopping Gracefully" in body:
            (root / "asked" / f"{STEMS[n]}.yaml").write_text(
                yaml.safe_dump(ASKED[n], sort_keys=False), encoding="utf-8"
            )
    return root


@pytest.fixture
def mini_knowledge(tmp_path: Path) -> Path:
    return write_knowledge(tmp_path / "knowledge")


class CountingEmbedder(Embedder):
    """The real model, counting how many texts it is asked to embed."""

    def __init__(self, real: Embedder, name: str | None = None) -> None:
        super().__init__(name or real.model_name)
        self._model = real.model
        self._real = real
        self.texts = 0

    def _batch_engine(self):  # type: ignore[no-untyped-def]
        return self._real._batch_engine()  # one sentence-transformers load for all counters

    def encode(self, texts: list[str], batch_size: int = 32, *, bulk: bool = False):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        return super().encode(texts, batch_size=batch_size, bulk=bulk)


@pytest.fixture
def counting(embedder: Embedder) -> Callable[..., CountingEmbedder]:
    """counting() or counting('other-model-name'): a fresh counter over the loaded model."""

    def make(name: str | None = None) -> CountingEmbedder:
        return CountingEmbedder(embedder, name)

    return make


# ---------------------------------------------------------------- building indexes


def make_settings(knowledge_dir: Path, tmp_path: Path) -> Settings:
    return Settings(knowledge_dir=knowledge_dir, data_dir=tmp_path / "data")


@pytest.fixture
def tiny_settings(tmp_path: Path) -> Settings:
    """One short section and its question bank: cheap to embed again and again."""
    return make_settings(write_knowledge(tmp_path / "knowledge", {5: NOTES[5]}), tmp_path)


def build(settings: Settings, embedder: CountingEmbedder, **kw: object) -> HybridIndex:
    return load_or_build(
        settings, knowledge.load(settings.knowledge_dir), embedder=embedder, warm=False, **kw
    )


def cache_folders(settings: Settings) -> list[Path]:
    root = settings.resolved_index_dir
    return sorted(p for p in root.iterdir()) if root.exists() else []
