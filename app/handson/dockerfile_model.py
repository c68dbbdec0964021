"""Dockerfiles parsed with the `dockerfile` package (Docker's own Go parser, via buildkit's
parser package) into stages and instructions; the named checks are in dockerfile_checks."""

from __future__ import annotations

from dataclasses import dataclass, field

INSTRUCTIONS = frozenset(
    "FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG "
    "ONBUILD STOPSIGNAL HEALTHCHECK SHELL".split()
)


class NotADockerfile(ValueError):
    """The text cannot be read as a Dockerfile; the message says why, for the user."""


@dataclass(frozen=True)
class Instr:
    cmd: str  # upper case
    args: tuple[str, ...]
    flags: tuple[str, ...]
    json: bool
    line: int
    original: str
    heredocs: tuple[str, ...]
    stage: int

    @property
    def text(self) -> str:
        """Everything the instruction runs or names, heredoc bodies included."""
        return " ".join((*self.args, *self.heredocs))

    def flag(self, name: str) -> str | None:
        for f in self.flags:
            key, _, value = f.partition("=")
            if key == name:
                return value
        return None


@dataclass
class Stage:
    index: int
    base: str
    name: str | None
    line: int
    instrs: list[Instr] = field(default_factory=list)


@dataclass
class DockerfileModel:
    text: str
    instrs: list[Instr]
    stages: list[Stage]
    unknown: list[Instr]

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def stage_names(self) -> set[str]:
        return {s.name.lower() for s in self.stages if s.name}

    def of(self, cmd: str, stage: str = "any") -> list[Instr]:
        pool = self.final.instrs if stage == "final" else self.instrs
        return [i for i in pool if i.cmd == cmd]


def parse(text: str) -> DockerfileModel:
    """Parse with Docker's parser; raise NotADockerfile with a reason a user can act on."""
    import dockerfile

    try:
        commands = dockerfile.parse_string(text)
    except Exception as exc:  # GoParseError and anything the Go side reports
        raise NotADockerfile(f"the Dockerfile parser rejected it: {exc}") from None
    instrs: list[Instr] = []
    unknown: list[Instr] = []
    stages: list[Stage] = []
    for c in commands:
        cmd = str(c.cmd).upper()
        instr = Instr(
            cmd=cmd,
            args=tuple(str(v) for v in c.value),
            flags=tuple(str(f) for f in c.flags),
            json=bool(c.json),
            line=int(c.start_line),
            original=str(c.original),
            heredocs=tuple(str(h.content) for h in c.heredocs),
            stage=max(len(stages) - 1, 0) + (1 if cmd == "FROM" and stages else 0),
        )
        if cmd not in INSTRUCTIONS:
            unknown.append(instr)
            continue
        if cmd == "FROM":
            args = [a for a in instr.args]
            name = args[2] if len(args) >= 3 and args[1].lower() == "as" else None
            stages.append(Stage(len(stages), args[0] if args else "", name, instr.line))
        if stages:
            stages[-1].instrs.append(instr)
        elif cmd != "ARG":
            raise NotADockerfile(
                f"line {instr.line}: a Dockerfile must start with FROM (only ARG, comments and "
                f"parser directives may come before it), but it starts with {cmd}"
            )
        instrs.append(instr)
    if not stages:
        if unknown:
            first = unknown[0]
            raise NotADockerfile(
                f"line {first.line}: {first.original[:60]!r} is not a Dockerfile instruction, "
                "and there is no FROM line at all"
            )
        raise NotADockerfile("there is no FROM line, so there is no image to build")
    return DockerfileModel(text, instrs, stages, unknown)


def syntax_problems(model: DockerfileModel) -> list[tuple[int, str]]:
    """(line, message) for instructions Docker would refuse."""
    out = [
        (i.line, f"{i.original.split()[0][:40]!r} is not a Dockerfile instruction")
        for i in model.unknown
    ]
    for i in model.instrs:
        if i.cmd == "FROM" and (not i.args or not i.args[0]):
            out.append((i.line, "FROM needs an image"))
        if (
            i.cmd in ("CMD", "ENTRYPOINT", "RUN")
            and not i.json
            and i.original.split(None, 1)[-1].lstrip().startswith("['")
        ):
            out.append(
                (
                    i.line,
                    f"{i.cmd} uses single quotes: that is not JSON, so Docker runs it as "
                    "shell form; use double quotes",
                )
            )
    return out
