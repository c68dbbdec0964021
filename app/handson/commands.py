"""Docker command lines: shlex tokens, docker's flag tables, and the values inside the flags.

Handles what people paste: `\\` line continuations, a leading `$ ` prompt, `sudo`, `VAR=x`
prefixes, several commands joined by `&&` or `;`, `--flag=value` and `--flag value`, clustered
short booleans (`-it`, `-dit`), attached short values (`-p8080:80`), `--mount` key=value lists,
and the legacy `docker-compose` binary (parsed like `docker compose`, then flagged).
"""

from __future__ import annotations

import csv
import difflib
import re
import shlex
from dataclasses import dataclass, field

from app.handson.docker_flags import (
    COMPOSE_GLOBAL,
    COMPOSE_SUB,
    RENAMED,
    TABLES,
    Table,
)
from app.handson.shared import BIND_SOURCE, RESTART, RESTART_FORMS, parse_publish, parse_size

DOCKER_GLOBAL: Table = {
    "--config": (None, True),
    "--context": ("-c", True),
    "--debug": ("-D", False),
    "--host": ("-H", True),
    "--log-level": ("-l", True),
    "--tls": (None, False),
    "--tlscacert": (None, True),
    "--tlscert": (None, True),
    "--tlskey": (None, True),
    "--tlsverify": (None, False),
}

_GROUPS = {"container", "image", "network", "volume", "buildx", "builder", "system", "compose"}
_ALIASES = {
    "container run": "run",
    "container create": "create",
    "image build": "build",
    "builder build": "buildx build",
}


class NotACommand(ValueError):
    """The text holds no docker command we can read; the message says why."""


@dataclass(frozen=True)
class Opt:
    name: str  # canonical long name, e.g. --publish
    value: str | None
    line: int
    raw: str


@dataclass
class Command:
    program: str  # docker | docker-compose | podman
    sub: str  # run, build, buildx build, compose up, network create ...
    opts: list[Opt]
    positionals: list[str]
    line: int
    raw: str
    globals_: list[Opt] = field(default_factory=list)  # compose's -f/-p/--profile
    errors: list[tuple[int, str]] = field(default_factory=list)

    def all(self, name: str) -> list[Opt]:
        want = canonical(self.sub, name)
        return [o for o in (*self.globals_, *self.opts) if o.name == want]

    def first(self, name: str) -> Opt | None:
        found = self.all(name)
        return found[0] if found else None

    def has(self, name: str) -> bool:
        opt = self.first(name)
        return opt is not None and (opt.value or "true").lower() not in ("false", "0")

    @property
    def image(self) -> str | None:
        if self.sub in ("run", "create") and self.positionals:
            return self.positionals[0]
        return None

    @property
    def args(self) -> list[str]:
        return self.positionals[1:] if self.sub in ("run", "create") else self.positionals


@dataclass
class Script:
    commands: list[Command]
    others: list[tuple[int, str]]  # non-docker lines, kept for messages

    def of(self, sub: str) -> list[Command]:
        return [c for c in self.commands if c.sub == sub or c.sub.endswith(" " + sub)]


def _table(sub: str) -> Table | None:
    if sub.startswith("compose "):
        return {**COMPOSE_GLOBAL, **COMPOSE_SUB.get(sub.split(" ", 1)[1], {})}
    return TABLES.get(sub)


def canonical(sub: str, name: str) -> str:
    """'-m' -> '--memory' for `run`; long names pass through (deprecated ones renamed)."""
    name = RENAMED.get(name, name)
    if name.startswith("--"):
        return name
    for long, (short, _) in (_table(sub) or {}).items():
        if short == name:
            return long
    return name


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for n, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if not buf:
            start = n
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        out.append((start, " ".join(buf)))
        buf = []
    if buf:
        out.append((start, " ".join(buf)))
    return out


def _segments(line: str) -> list[list[str]]:
    lex = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lex.whitespace_split = True
    segs: list[list[str]] = [[]]
    for tok in lex:
        if tok and set(tok) <= set(";&|"):
            segs.append([])
        else:
            segs[-1].append(tok)
    return [s for s in segs if s]


def parse(text: str) -> Script:
    """Every docker command in the text; raise NotACommand when there is none."""
    commands: list[Command] = []
    others: list[tuple[int, str]] = []
    for line_no, line in _logical_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = re.sub(r"^(\$|>|PS>|%)\s+", "", stripped)
        try:
            segments = _segments(stripped)
        except ValueError as exc:  # unbalanced quotes
            raise NotACommand(f"line {line_no}: the shell could not split it ({exc})") from None
        for tokens in segments:
            cmd = _command(tokens, line_no, stripped)
            if cmd is None:
                others.append((line_no, " ".join(tokens)[:80]))
            else:
                commands.append(cmd)
    if not commands:
        first = others[0][1] if others else text.strip()[:60]
        raise NotACommand(
            f"no docker command found (the answer starts with {first[:60]!r}); "
            "write it as you would type it, starting with `docker`"
        )
    return Script(commands, others)


def _command(tokens: list[str], line_no: int, raw: str) -> Command | None:
    i = 0
    while i < len(tokens) and (
        tokens[i] in ("sudo", "env", "time") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tokens[i])
    ):
        i += 1
    if i >= len(tokens):
        return None
    program = tokens[i].rsplit("/", 1)[-1]
    if program not in ("docker", "docker-compose", "podman"):
        return None
    rest = tokens[i + 1 :]
    errors: list[tuple[int, str]] = []
    if program == "docker-compose":
        rest = ["compose", *rest]
    # docker's own global flags come before the subcommand
    _, rest = _options(rest, DOCKER_GLOBAL, line_no, errors, stop_at_positional=True)
    words: list[str] = []
    while rest and not rest[0].startswith("-") and len(words) < 2:
        words.append(rest.pop(0))
        if words[0] not in _GROUPS:
            break
    if not words:
        errors.append((line_no, "no docker subcommand (such as run or build)"))
        return Command(program, "", [], rest, line_no, raw, errors=errors)
    sub = _ALIASES.get(" ".join(words), " ".join(words))
    globals_: list[Opt] = []
    if sub == "compose":
        # `docker compose -f a.yaml up`: global options sit before the subcommand word
        globals_, rest = _options(rest, COMPOSE_GLOBAL, line_no, errors, stop_at_positional=True)
        sub = "compose " + rest.pop(0) if rest else "compose"
    table = _table(sub)
    stop = sub in ("run", "create", "compose run", "compose exec")
    if table is None:
        opts, positionals = _generic(rest, line_no)
    else:
        opts, positionals = _options(rest, table, line_no, errors, stop_at_positional=stop)
    cmd = Command(program, sub, opts, positionals, line_no, raw, globals_, errors)
    if sub in ("run", "create"):
        cmd.errors.extend(_run_value_errors(cmd))
        if not positionals:
            cmd.errors.append((line_no, f"`docker {sub}` needs an image name after its options"))
    return cmd


def _options(
    tokens: list[str],
    table: Table,
    line_no: int,
    errors: list[tuple[int, str]],
    *,
    stop_at_positional: bool,
) -> tuple[list[Opt], list[str]]:
    shorts = {s: long for long, (s, _) in table.items() if s}
    opts: list[Opt] = []
    positionals: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok == "--":
            positionals.extend(tokens[i:])
            break
        if tok.startswith("--") and len(tok) > 2:
            name, eq, value = tok.partition("=")
            name = RENAMED.get(name, name)
            if name not in table:
                errors.append((line_no, _unknown(name, table)))
                # `--memroy 1g`: if the likely intended flag takes a value, skip that value too,
                # so it is not mistaken for the image name
                close = difflib.get_close_matches(name, list(table), n=1, cutoff=0.75)
                if not eq and close and table[close[0]][1] and i < len(tokens):
                    i += 1
                continue
            takes = table[name][1]
            if takes and not eq:
                if i >= len(tokens):
                    errors.append((line_no, f"{name} needs a value"))
                    continue
                value = tokens[i]
                i += 1
            opts.append(Opt(name, value if (takes or eq) else None, line_no, tok))
        elif tok.startswith("-") and len(tok) > 1 and not re.match(r"^-\d", tok):
            cluster = tok[1:]
            for k, ch in enumerate(cluster):
                long = shorts.get("-" + ch)
                if long is None:
                    errors.append((line_no, _unknown("-" + ch, table)))
                    break
                if table[long][1]:
                    value = cluster[k + 1 :]
                    if value.startswith("="):
                        value = value[1:]
                    if not value:
                        if i >= len(tokens):
                            errors.append((line_no, f"-{ch} ({long}) needs a value"))
                            break
                        value = tokens[i]
                        i += 1
                    opts.append(Opt(long, value, line_no, tok))
                    break
                opts.append(Opt(long, None, line_no, tok))
        else:
            positionals.append(tok)
            if stop_at_positional:
                positionals.extend(tokens[i:])
                break
    return opts, positionals


def _generic(tokens: list[str], line_no: int) -> tuple[list[Opt], list[str]]:
    """Commands without a table: `--x=y` and `--x` only; we cannot know which take values."""
    opts: list[Opt] = []
    positionals: list[str] = []
    for tok in tokens:
        if tok.startswith("-") and len(tok) > 1:
            name, eq, value = tok.partition("=")
            opts.append(Opt(name, value if eq else None, line_no, tok))
        else:
            positionals.append(tok)
    return opts, positionals


def _unknown(name: str, table: Table) -> str:
    names = list(table) + [s for s, _ in table.values() if s]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown flag {name}{hint}: docker would refuse the command"


# ---------------------------------------------------------------- flag values


@dataclass(frozen=True)
class Mount:
    type: str  # volume | bind | tmpfs | image | npipe | cluster
    source: str | None
    target: str | None
    readonly: bool
    options: dict[str, str]


_MOUNT_KEYS = {
    "type", "source", "src", "target", "destination", "dst", "readonly", "ro", "bind-propagation",
    "bind-recursive", "bind-nonrecursive", "consistency", "volume-driver", "volume-label",
    "volume-nocopy", "volume-opt", "volume-subpath", "tmpfs-size", "tmpfs-mode", "image-subpath",
}  # fmt: skip
_NAMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def parse_mount(value: str) -> tuple[Mount | None, str | None]:
    """`--mount type=volume,source=x,target=/y,readonly` -> Mount, or an error message."""
    try:
        fields = next(csv.reader([value]))
    except (csv.Error, StopIteration):
        return None, f"--mount {value!r} is not a key=value list"
    opts: dict[str, str] = {}
    for f in fields:
        key, eq, val = f.strip().partition("=")
        key = key.lower()
        if key not in _MOUNT_KEYS:
            return None, f"--mount has no key {key!r}"
        opts[key] = val if eq else "true"
    kind = opts.get("type", "volume")
    if kind not in ("volume", "bind", "tmpfs", "image", "npipe", "cluster"):
        return None, f"--mount type={kind} is not a mount type"
    target = opts.get("target") or opts.get("destination") or opts.get("dst")
    if not target:
        return None, "--mount needs target=<path in the container>"
    source = opts.get("source") or opts.get("src")
    ro = opts.get("readonly", opts.get("ro", "false")).lower() in ("true", "1", "")
    return Mount(kind, source, target, ro, opts), None


def parse_volume(value: str) -> tuple[Mount | None, str | None]:
    """`-v name:/path[:ro]`, `-v /host:/path`, `-v /path` (anonymous) -> Mount."""
    parts = value.split(":")
    # Windows drive letters (C:\x) are rare in answers; treat them as bind sources
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha():
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    if len(parts) == 1:
        if not parts[0].startswith("/"):
            return None, f"-v {value!r}: a container path must be absolute"
        return Mount("volume", None, parts[0], False, {}), None
    if len(parts) > 3:
        return None, f"-v {value!r} has too many ':' parts"
    source, target = parts[0], parts[1]
    opts = parts[2].split(",") if len(parts) == 3 else []
    if not target.startswith("/"):
        return None, f"-v {value!r}: the container path {target!r} must be absolute"
    is_bind = bool(BIND_SOURCE.match(source))
    if not is_bind and not _NAMED.match(source):
        return None, f"-v {value!r}: {source!r} is neither a volume name nor a host path"
    return Mount(
        "bind" if is_bind else "volume",
        source,
        target,
        "ro" in opts or "readonly" in opts,
        {o: "true" for o in opts},
    ), None


def mounts(cmd: Command) -> list[tuple[Mount, Opt]]:
    out: list[tuple[Mount, Opt]] = []
    for opt in cmd.opts:
        if opt.value is None:
            continue
        if opt.name == "--mount":
            m, _ = parse_mount(opt.value)
        elif opt.name == "--volume":
            m, _ = parse_volume(opt.value)
        elif opt.name == "--tmpfs":
            m = Mount("tmpfs", None, opt.value.split(":")[0], False, {})
        else:
            continue
        if m is not None:
            out.append((m, opt))
    return out


_SIZED = ("--memory", "--memory-reservation", "--shm-size", "--kernel-memory")
_INTS = ("--pids-limit", "--stop-timeout", "--cpu-shares", "--health-retries", "--oom-score-adj")


def _run_value_errors(cmd: Command) -> list[tuple[int, str]]:
    errs: list[tuple[int, str]] = []
    for o in cmd.opts:
        v = o.value
        if v is None:
            continue
        if o.name == "--restart" and not RESTART.match(v):
            errs.append((o.line, f"--restart {v!r}: use {RESTART_FORMS}"))
        elif o.name in _SIZED and parse_size(v) is None:
            errs.append((o.line, f"{o.name} {v!r} is not a size such as 512m or 1g"))
        elif o.name == "--memory-swap" and v != "-1" and parse_size(v) is None:
            errs.append((o.line, f"--memory-swap {v!r} is not a size (or -1 for unlimited)"))
        elif o.name == "--cpus" and not re.fullmatch(r"\d+(\.\d+)?|\.\d+", v):
            errs.append((o.line, f"--cpus {v!r} must be a number of CPUs such as 1.5"))
        elif o.name in _INTS and not re.fullmatch(r"-?\d+", v):
            errs.append((o.line, f"{o.name} {v!r} must be a whole number"))
        elif o.name == "--publish" and parse_publish(v) is None:
            errs.append((o.line, f"-p {v!r}: use [host-ip:]host-port:container-port[/udp]"))
        elif o.name == "--mount":
            _, err = parse_mount(v)
            if err:
                errs.append((o.line, err))
        elif o.name == "--volume":
            _, err = parse_volume(v)
            if err:
                errs.append((o.line, err))
        elif o.name == "--env" and not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]*(=|$)", v):
            errs.append((o.line, f"-e {v!r}: use NAME=value or NAME"))
    return errs
