"""`mentor eval`: score the offline engine and any OpenAI-compatible models as the mentor."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli.console import err, note, print_markdown, settings
from app.errors import BadInput


def _targets(
    base_urls: list[str], models: list[str], configured: tuple[str, str | None] | None
) -> list[tuple[str, str | None]]:
    """(model, base_url) pairs: zipped, one URL shared by several models, or the configured."""
    if not base_urls and not models:
        return [configured] if configured else []
    if not models:
        raise BadInput("--base-url needs a --model (the name the server knows the model by)")
    if len(base_urls) > 1 and len(base_urls) != len(models):
        raise BadInput("give one --base-url for all models, or one per --model")
    urls: list[str | None] = list(base_urls) if len(base_urls) > 1 else [*base_urls] * len(models)
    return list(zip(models, urls or [None] * len(models), strict=True))


def eval_command(
    base_url: Annotated[
        list[str] | None, typer.Option("--base-url", help="OpenAI-compatible URL (repeatable)")
    ] = None,
    model: Annotated[
        list[str] | None, typer.Option("--model", help="model name (repeatable)")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="at most N items per set (quick run)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine output on stdout")] = False,
    out_path: Annotated[Path | None, typer.Option("--out", help="write a Markdown report")] = None,
    minimum: Annotated[
        list[str] | None, typer.Option("--min", help="METRIC=VALUE every model must reach")
    ] = None,
    maximum: Annotated[
        list[str] | None, typer.Option("--max", help="METRIC=VALUE no model may exceed")
    ] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option(min=16, help="cap on every generated reply, grades included (slow models)"),
    ] = None,
    timeout: Annotated[float | None, typer.Option(help="seconds per model request")] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="reuse the items an interrupted run finished")
    ] = False,
) -> None:
    """Run the benchmark sets against the offline engine (always first) and each model."""
    from rich.progress import Progress

    from app import knowledge
    from app.eval import report as rep
    from app.eval import sets as eval_sets
    from app.eval.journal import Journal, journal_path
    from app.eval.runner import Evaluation, steps
    from app.llm.openai_backend import OpenAIBackend
    from app.prompts import Prompts
    from app.retrieval.cache import load_or_build

    bounds = [rep.parse_bound("min", b) for b in minimum or []]
    bounds += [rep.parse_bound("max", b) for b in maximum or []]
    s = settings()
    configured = (s.llm_model, s.openai_base_url) if s.llm_configured else None
    targets = _targets(base_url or [], model or [], configured)
    chosen = eval_sets.load(limit)
    kb = knowledge.load(s.knowledge_dir)
    index = load_or_build(s, kb)
    prompts = Prompts(s.prompts_dir)
    rows: list[rep.Row] = []
    names = ["offline", *(f"{m} @ {u}" if u else m for m, u in targets)]
    backends = [None] + [
        OpenAIBackend(
            model=m,
            api_key=s.openai_api_key,
            base_url=u,
            timeout=timeout or s.llm_timeout,
            max_retries=s.llm_max_retries,
            temperature=s.llm_temperature,
        )
        for m, u in targets
    ]
    cap = max_tokens or s.llm_max_tokens
    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        for name, backend in zip(names, backends, strict=True):
            task = progress.add_task(name, total=steps(chosen))
            # each item's record is on disk as soon as it finishes (see app/eval/journal.py)
            path = journal_path(s.data_dir, name, cap)
            journal = Journal(path, header={"model": name, "max_tokens": cap}, resume=resume)
            if journal.resumed:
                note(f"{name}: {journal.resumed} items read back from {path}")
            evaluation = Evaluation(kb, index, prompts, backend, max_tokens=cap, journal=journal)

            def tick(part: str, task: object = task, name: str = name) -> None:
                progress.update(task, advance=1, description=f"{name}: {part}")  # type: ignore[arg-type]

            metrics = asyncio.run(evaluation.run(chosen, tick))
            rows.append(rep.Row(name, metrics, evaluation.seconds))
    report = rep.Report(rows, limit, max_tokens=max_tokens)
    saved = rep.save(report, s.data_dir)
    if out_path:
        out_path.write_text(report.markdown(), encoding="utf-8")
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        print_markdown(report.markdown())
    note(f"report saved to {saved}")
    problems = rep.failures(report, bounds)
    for line in problems:
        err.print(f"below threshold: {line}", highlight=False)
    if problems:
        raise typer.Exit(1)


def register(cli: typer.Typer) -> None:
    cli.command("eval")(eval_command)
