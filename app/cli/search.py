"""`mentor index` (build or confirm the retrieval cache) and `mentor search`."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer
from rich.table import Table

from app import knowledge, render
from app.cli.console import err, out, parse_section_number, settings


def index(
    rebuild: Annotated[bool, typer.Option(help="re-embed even if the cache is current")] = False,
) -> None:
    """Build the retrieval index (or confirm the on-disk cache is current)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from app.retrieval.cache import describe, load_or_build

    conf = settings()
    kb = knowledge.load(conf.knowledge_dir)
    t0 = time.perf_counter()
    embedded = False
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("embedding chunks", total=None)

        def progress(done: int, total: int) -> None:
            nonlocal embedded
            embedded = True
            bar.update(task, completed=done, total=total)

        idx = load_or_build(conf, kb, rebuild=rebuild, progress=progress, warm=False)
    # the notes' HTML beside the index: `mentor serve` starts without rendering them (the
    # container's index folder is read-only at run time)
    render.render_notes({n: s.markdown for n, s in kb.sections.items()}, conf.resolved_index_dir)
    # and the grader's myth catalogue and question pool, encoded once here
    from app.mentor.evidence import Evidence

    Evidence(kb, idx.embedder, conf.resolved_index_dir).warm()
    info = describe(idx)
    state = "built" if embedded else "cache is current"
    sys.stdout.write(
        f"index {state}: {info['chunks']} chunks ({info['notes']} notes, {info['questions']} "
        f"questions) from {info['sections']} sections in {time.perf_counter() - t0:.1f} s; "
        f"cache {conf.resolved_index_dir}\n"
    )


def search(
    query: Annotated[str, typer.Argument(help="what to look for")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="how many results")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON list")] = False,
    section_filter: Annotated[
        list[str] | None, typer.Option("--section", "-s", help="only this section (repeatable)")
    ] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25")] = "hybrid",
) -> None:
    """Search the knowledge: the best passages with their citations."""
    from app.retrieval.cache import load_or_build
    from app.retrieval.index import clean_query

    clean_query(query)  # an empty query fails before the model loads
    only = [parse_section_number(s) for s in section_filter] if section_filter else None
    conf = settings()
    idx = load_or_build(conf, knowledge.load(conf.knowledge_dir))
    hits = idx.search(query, k=k, sections=only, mode=mode)
    if as_json:
        sys.stdout.write(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    if not hits:
        sys.stdout.write("no results\n")
        return
    table = Table("#", "score", "where", "passage", title=f"search: {query[:60]}")
    for rank, hit in enumerate(hits, start=1):
        snippet = " ".join(hit.chunk.text.split())
        table.add_row(
            str(rank),
            f"{hit.score:.3f}",
            hit.chunk.citation(),
            snippet[:160] + ("..." if len(snippet) > 160 else ""),
        )
    out.print(table)


def register(cli: typer.Typer) -> None:
    cli.command()(index)
    cli.command()(search)
