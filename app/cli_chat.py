"""`mentor chat` (a REPL on the same engine) and `mentor ask` (one question, one answer)."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from app.cli import _print_markdown, _settings, cli, err, out
from app.errors import BadInput
from app.mentor.engine import Mentor
from app.mentor.state import ConversationState
from app.mentor.types import Delta, Done


def _mentor() -> Mentor:
    from app.mentor.engine import build

    return build(_settings())


@cli.command()
def ask(
    question: Annotated[str, typer.Argument(help="a Docker question, or any chat message")],
    json_out: Annotated[bool, typer.Option("--json", help="print the reply as JSON")] = False,
) -> None:
    """Answer one message (a question, "Section 5", ...) and exit."""
    if not question.strip():
        raise BadInput(
            "the question is empty: type a Docker question, e.g. mentor ask 'what is a volume?'"
        )
    mentor = _mentor()
    reply = asyncio.run(mentor.reply(ConversationState(), question))
    if json_out:
        import json

        sys.stdout.write(json.dumps(reply.to_json(), indent=2) + "\n")
        return
    if reply.notice:
        err.print(f"note: {reply.notice}", highlight=False)
    _print_markdown(reply.markdown)


@cli.command()
def chat() -> None:
    """Chat in the terminal: sections, questions, mock interviews. Ctrl-D or 'quit' to leave."""
    mentor = _mentor()
    state = ConversationState()
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    if tty:
        out.print(
            "[bold]Docker Interview Mentor[/bold] — 'Start from Section 1', a question, or 'help'."
        )

    async def turn(message: str) -> None:
        async for event in mentor.stream(state, message):
            if isinstance(event, Delta) and not tty:
                continue
            if isinstance(event, Done):
                if event.reply.notice:
                    err.print(f"note: {event.reply.notice}", highlight=False)
                _print_markdown(event.reply.markdown)

    async def repl() -> None:
        # one event loop for the whole session, so the backend's connections stay valid
        while True:
            try:
                message = await asyncio.to_thread(input, "you> " if tty else "")
            except EOFError:
                break
            if message.strip().lower() in {"quit", "exit", ":q"}:
                break
            if not message.strip():
                continue
            await turn(message)
            if not tty:
                sys.stdout.write("\n")

    asyncio.run(repl())
