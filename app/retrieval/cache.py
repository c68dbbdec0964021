"""The index's on-disk cache: the embedded vectors of the chunks and of their answer units.

They are the only expensive part of the index, so they live under
`settings.resolved_index_dir/<key>/`, where the key hashes every knowledge file's bytes, the model
name and CHUNKER_VERSION: manifest.json, chunks.json and vectors.npy (the chunks' rows, then one
row per answer unit). BM25 is rebuilt from the cached chunks on load, its tokens kept beside them.
A missing, corrupt or mismatching cache is rebuilt, never an error; a cache is written into a
temporary folder and renamed into place, so readers never see half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.knowledge import Knowledge
from app.retrieval.chunking import CHUNKER_VERSION, Chunk, chunk_knowledge, chunk_units
from app.retrieval.embeddings import Embedder, shared_embedder
from app.retrieval.index import HybridIndex, ProgressFn, embed_chunks, embed_units
from app.retrieval.lexical import cached_lexical
from app.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

CACHE_FORMAT = 2  # 2: answer-unit rows follow the chunk rows in vectors.npy


def _knowledge_files(kb: Knowledge) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file the knowledge came from; the markdown where there is none."""
    files: list[tuple[str, bytes]] = []
    for section in kb.sections.values():
        path = section.path
        if path.is_file():
            files.append((f"sections/{path.name}", path.read_bytes()))
        else:
            files.append((f"sections/{section.number:02d}", section.markdown.encode()))
        keys = path.parent.parent / "asked" / f"{path.stem}.yaml"
        if keys.is_file():
            files.append((f"asked/{keys.name}", keys.read_bytes()))
        elif section.asked_as:
            dump = json.dumps(section.asked_as, sort_keys=True)
            files.append((f"asked/{section.number:02d}", dump.encode()))
        bank = path.parent.parent / "questions" / f"{path.stem}.yaml"
        if bank.is_file():
            files.append((f"questions/{bank.name}", bank.read_bytes()))
        elif section.questions:
            dump = json.dumps([q.model_dump() for q in section.questions], sort_keys=True)
            files.append((f"questions/{section.number:02d}", dump.encode()))
    return sorted(files)


def cache_key(kb: Knowledge, model_name: str) -> str:
    """sha256 over the knowledge files' names and bytes, the model name and CHUNKER_VERSION."""
    h = hashlib.sha256()
    h.update(f"format={CACHE_FORMAT}\0chunker={CHUNKER_VERSION}\0model={model_name}\0".encode())
    for name, data in _knowledge_files(kb):
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def cache_dir(settings: Settings, key: str) -> Path:
    return settings.resolved_index_dir / key[:24]


def read_cache(folder: Path, key: str, chunks: list[Chunk]) -> NDArray[np.float32] | None:
    """The cached vectors (chunk rows, then unit rows) if the folder holds a complete, matching
    cache; None otherwise."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("key") != key or manifest.get("count") != len(chunks):
            raise ValueError("manifest does not match the knowledge")
        cached = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        if [Chunk.from_dict(c) for c in cached] != chunks:
            raise ValueError("cached chunks differ from the knowledge")
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        rows = len(chunks) + sum(len(chunk_units(c)) for c in chunks)
        if (
            manifest.get("units") != rows - len(chunks)
            or vectors.dtype != np.float32
            or vectors.shape != (rows, manifest.get("dim"))
            or not np.isfinite(vectors).all()
        ):
            raise ValueError(f"vectors.npy has shape {vectors.shape} and dtype {vectors.dtype}")
        return np.asarray(vectors)
    except Exception as exc:
        log.warning("index cache at %s is unusable (%s); rebuilding", folder, exc)
        return None


def write_cache(
    settings: Settings, key: str, model: str, chunks: list[Chunk], vectors: NDArray[np.float32]
) -> None:
    """Write into a temporary folder, then rename it into place: readers never see half a cache."""
    root = settings.resolved_index_dir
    final = cache_dir(settings, key)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()
    try:
        with open(tmp / "vectors.npy", "wb") as fh:
            np.save(fh, vectors, allow_pickle=False)
        (tmp / "chunks.json").write_text(
            json.dumps([c.to_dict() for c in chunks], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        manifest = {
            "key": key,
            "model": model,
            "chunker_version": CHUNKER_VERSION,
            "format": CACHE_FORMAT,
            "count": len(chunks),
            "units": int(vectors.shape[0]) - len(chunks),
            "dim": int(vectors.shape[1]),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        # the manifest last: a folder without one is never trusted
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
    except OSError as exc:
        # another process may have renamed its copy into place first; ours is equivalent
        log.warning("could not write the index cache at %s: %s", final, exc)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    for other in root.iterdir():
        if other != final and other.is_dir() and (other / "manifest.json").exists():
            shutil.rmtree(other, ignore_errors=True)


def load_or_build(
    settings: Settings,
    kb: Knowledge,
    *,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    progress: ProgressFn | None = None,
    warm: bool = True,
) -> HybridIndex:
    """The index for `kb`: from the disk cache when its key matches, else built and cached.

    A missing, corrupt or mismatching cache is rebuilt, never an error. With `warm` the
    embedding model is loaded and run once, so the first search is as fast as the rest.
    """
    embedder = embedder or shared_embedder(settings.embedding_model)
    model = embedder.model_name
    chunks = chunk_knowledge(kb)
    key = cache_key(kb, model)
    folder = cache_dir(settings, key)
    stored = None if rebuild else read_cache(folder, key, chunks)
    if stored is None:
        t0 = time.perf_counter()
        vectors = embed_chunks(chunks, embedder, progress)
        units = embed_units(chunks, embedder)
        log.info(
            "embedded %d chunks and %d answer units in %.1f s",
            len(chunks),
            len(units),
            time.perf_counter() - t0,
        )
        stored = np.concatenate([vectors, units]) if len(units) else vectors
        write_cache(settings, key, model, chunks, stored)
    n = len(chunks)
    lexical = cached_lexical([c.embed_text() for c in chunks], folder if folder.is_dir() else None)
    index = HybridIndex(
        chunks,
        stored[:n],
        embedder,
        rrf_k=settings.rrf_k,
        key=key,
        unit_vectors=stored[n:],
        lexical=lexical,
    )
    if warm:
        embedder.encode(["warm up"])
    return index


def describe(index: HybridIndex) -> dict[str, Any]:
    """A summary for `mentor index` and logs."""
    kinds = {"note": 0, "question": 0}
    for c in index.chunks:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    return {
        "chunks": len(index.chunks),
        "notes": kinds["note"],
        "questions": kinds["question"],
        "sections": len({c.section for c in index.chunks}),
        "key": index.key[:12],
    }
