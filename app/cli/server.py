"""`mentor serve`: the web app under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.console import settings


def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
    reload: Annotated[bool, typer.Option(help="restart on code changes")] = False,
) -> None:
    """Start the web app (uvicorn)."""
    import uvicorn

    conf = settings()
    uvicorn.run(
        "app.web.app:app_from_env",
        factory=True,
        host=host or conf.host,
        port=port or conf.port,
        reload=reload,
        log_level="info",
        timeout_graceful_shutdown=conf.shutdown_grace_seconds,
    )


def register(cli: typer.Typer) -> None:
    cli.command()(serve)
