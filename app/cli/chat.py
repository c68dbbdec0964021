"""`mentor chat` (a REPL on the same engine) and `mentor ask` (one question, one answer)."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.console import note, out, print_markdown, settings
from app.conversation import ConversationState
from app.errors import BadInput
from app.mentor.types import Delta, Done

if TYPE_CHECKING:
    from app.mentor.engine import Mentor


def _mentor() -> Mentor:
    from app.mentor.engine import build

    return build(settings())


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
        sys.stdout.write(json.dumps(reply.to_json(), indent=2) + "\n")
        return
    if reply.notice:
        note(reply.notice)
    print_markdown(reply.markdown)


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
                    note(event.reply.notice)
                print_markdown(event.reply.markdown)

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


def register(cli: typer.Typer) -> None:
    cli.command()(ask)
    cli.command()(chat)
