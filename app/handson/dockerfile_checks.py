"""Dockerfiles: parsed with the `dockerfile` package (Docker's own Go parser, via buildkit's
parser package) into stages and instructions, then checked by named rules."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from app.handson.registry import Outcome, check
from app.handson.shared import SECRET_NAME, image_ref_problem, is_literal_secret

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


# ---------------------------------------------------------------- helpers

_INSTALL = re.compile(
    r"\b(pip3?\s+install|python\s+-m\s+pip\s+install|uv\s+(pip\s+install|sync)|poetry\s+install|"
    r"pipenv\s+install|npm\s+(ci|install|i)\b|yarn(\s+install)?\b|pnpm\s+install|"
    r"go\s+mod\s+download|bundle\s+install|composer\s+install|mvn\s+\S*dependency|"
    r"cargo\s+fetch|dotnet\s+restore|gradle\s+\S*dependencies)"
)


def _base_of(model: DockerfileModel, stage: Stage) -> str:
    return stage.base


def _is_stage_ref(model: DockerfileModel, ref: str, upto: int) -> bool:
    names = {s.name.lower() for s in model.stages[:upto] if s.name}
    return ref.lower() in names


def _copy_sources(i: Instr) -> list[str]:
    return list(i.args[:-1]) if len(i.args) >= 2 else []


# ---------------------------------------------------------------- checks


@check("dockerfile", "instruction")
def instruction(
    m: DockerfileModel,
    name: str,
    contains: str | None = None,
    flag: str | None = None,
    stage: str = "any",
    json_form: bool | None = None,
) -> Outcome:
    """An instruction is present (optionally matching a regex, a flag, exec form)."""
    for i in m.of(name.upper(), stage):
        if contains and not re.search(contains, i.original, re.I | re.S):
            continue
        if flag and not any(re.search(flag, f) for f in i.flags):
            continue
        if json_form is not None and i.json != json_form:
            continue
        return Outcome(True, i.original[:80], i.line)
    where = " in the final stage" if stage == "final" else ""
    return Outcome(False, f"no matching {name.upper()}{where}")


@check("dockerfile", "multi_stage")
def multi_stage(m: DockerfileModel, min_stages: int = 2) -> Outcome:
    copies = [i for i in m.final.instrs if i.cmd == "COPY" and i.flag("--from")]
    if len(m.stages) >= min_stages and copies:
        return Outcome(True, f"{len(m.stages)} stages", copies[0].line)
    if len(m.stages) < min_stages:
        return Outcome(False, f"{len(m.stages)} stage(s)")
    return Outcome(False, "the final stage copies nothing with COPY --from")


@check("dockerfile", "latest_tag")
def latest_tag(m: DockerfileModel) -> Outcome:
    """A FROM (not naming an earlier stage, not scratch) without a tag or digest, or :latest."""
    for s in m.stages:
        ref = s.base
        if "$" in ref or ref.lower() == "scratch" or _is_stage_ref(m, ref, s.index):
            continue
        problem = image_ref_problem(ref)
        if problem:
            return Outcome(True, f"FROM {ref}: {problem}", s.line)
    for i in m.instrs:
        src = i.flag("--from") if i.cmd == "COPY" else None
        if (
            src
            and ":" not in src
            and "@" not in src
            and "/" in src
            and not _is_stage_ref(m, src, len(m.stages))
        ):
            return Outcome(True, f"COPY --from={src}: untagged image", i.line)
    return Outcome(False)


@check("dockerfile", "base_digest")
def base_digest(m: DockerfileModel) -> Outcome:
    """Every external base image is pinned by digest."""
    for s in m.stages:
        ref = s.base
        if ref.lower() == "scratch" or _is_stage_ref(m, ref, s.index):
            continue
        if not re.search(r"@sha256:[0-9a-f]{64}$", ref):
            return Outcome(False, f"FROM {ref} has no @sha256 digest", s.line)
    return Outcome(True)


def _env_pairs(i: Instr) -> list[tuple[str, str | None]]:
    if i.cmd == "ENV":
        vals = list(i.args)
        return [(vals[k], vals[k + 1] if k + 1 < len(vals) else "") for k in range(0, len(vals), 2)]
    out: list[tuple[str, str | None]] = []
    for a in i.args:  # ARG NAME[=default]
        key, eq, value = a.partition("=")
        out.append((key, value if eq else None))
    return out


@check("dockerfile", "secret_in_env")
def secret_in_env(m: DockerfileModel) -> Outcome:
    """ENV/ARG holding a secret-looking name with a literal value (or an ARG meant for one)."""
    for i in m.instrs:
        if i.cmd not in ("ENV", "ARG"):
            continue
        for key, value in _env_pairs(i):
            if not SECRET_NAME.search(key) or key.upper().endswith("_FILE"):
                continue
            if value is None:
                return Outcome(True, f"ARG {key}: a build argument for a secret", i.line)
            if is_literal_secret(value):
                return Outcome(True, f"{i.cmd} {key} has a literal value", i.line)
            if i.cmd == "ENV" and value.startswith("$"):
                return Outcome(True, f"ENV {key} copies a build value into the image", i.line)
    return Outcome(False)


_ROOT_USERS = {"root", "0", "0:0", "root:root", "root:0", "0:root"}


@check("dockerfile", "runs_as_root")
def runs_as_root(m: DockerfileModel) -> Outcome:
    """The final stage ends as root: no USER (and a root base), or USER root/0."""
    users = m.of("USER", "final")
    if users:
        last = users[-1]
        who = last.args[0] if last.args else ""
        if who.lower() in _ROOT_USERS:
            return Outcome(True, f"USER {who}", last.line)
        return Outcome(False, f"USER {who}", last.line)
    base = m.final.base.lower()
    if "nonroot" in base or "unprivileged" in base:
        return Outcome(False, f"{m.final.base} runs as a non-root user by default")
    return Outcome(True, "no USER in the final stage, so the process runs as root", m.final.line)


@check("dockerfile", "user_numeric")
def user_numeric(m: DockerfileModel) -> Outcome:
    users = m.of("USER", "final")
    if users and re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1].args[0] if users[-1].args else ""):
        return Outcome(True, users[-1].original, users[-1].line)
    return Outcome(False, users[-1].original if users else "no USER in the final stage")


def _runs(m: DockerfileModel) -> list[Instr]:
    return [i for i in m.instrs if i.cmd == "RUN"]


@check("dockerfile", "apt_update_split")
def apt_update_split(m: DockerfileModel) -> Outcome:
    for i in _runs(m):
        t = i.text
        if re.search(r"\bapt(-get)?\s+update\b", t) and not re.search(
            r"\bapt(-get)?\s+(-\S+\s+)*install\b", t
        ):
            return Outcome(True, "apt-get update without install in the same RUN", i.line)
    return Outcome(False)


@check("dockerfile", "apt_no_recommends")
def apt_no_recommends(m: DockerfileModel) -> Outcome:
    for i in _runs(m):
        t = i.text
        if re.search(r"\bapt-get\s+(-\S+\s+)*install\b", t) and "--no-install-recommends" not in t:
            return Outcome(True, "apt-get install without --no-install-recommends", i.line)
    return Outcome(False)


@check("dockerfile", "pkg_cache_left")
def pkg_cache_left(m: DockerfileModel) -> Outcome:
    """A package manager leaves its cache in the layer (no cleanup, no cache mount)."""
    for i in _runs(m):
        t = i.text
        mounts = " ".join(i.flags)
        if (
            re.search(r"\bapt(-get)?\s+(-\S+\s+)*install\b", t)
            and "/var/lib/apt/lists" not in t
            and "type=cache" not in mounts
        ):
            return Outcome(True, "apt lists not removed in the same RUN", i.line)
        if re.search(r"\bapk\s+add\b", t) and "--no-cache" not in t and "type=cache" not in mounts:
            return Outcome(True, "apk add without --no-cache", i.line)
        if (
            re.search(r"\bpip3?\s+install\b|\bpython3?\s+-m\s+pip\s+install\b", t)
            and "--no-cache-dir" not in t
            and "type=cache" not in mounts
            and "PIP_NO_CACHE_DIR" not in m.text
        ):
            return Outcome(True, "pip install keeps its download cache in the layer", i.line)
    return Outcome(False)


_ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$", re.I)


@check("dockerfile", "add_local")
def add_local(m: DockerfileModel) -> Outcome:
    """ADD used for plain local files (COPY says what it does; ADD also fetches and unpacks)."""
    for i in m.instrs:
        if i.cmd != "ADD":
            continue
        for src in _copy_sources(i):
            if re.match(r"^(https?|git)://|^git@", src) or _ARCHIVE.search(src):
                continue
            return Outcome(True, f"ADD {src}", i.line)
    return Outcome(False)


@check("dockerfile", "copy_all_before_install")
def copy_all_before_install(m: DockerfileModel) -> Outcome:
    """`COPY . .` comes before the stage's dependency install, so any edit busts the cache."""
    for s in m.stages:
        copied_all: Instr | None = None
        for i in s.instrs:
            if (
                i.cmd in ("COPY", "ADD")
                and not i.flag("--from")
                and any(src in (".", "./", "*") for src in _copy_sources(i))
            ):
                copied_all = copied_all or i
            if i.cmd == "RUN" and _INSTALL.search(i.text):
                if copied_all is not None:
                    return Outcome(
                        True,
                        f"line {copied_all.line} copies everything before this install",
                        i.line,
                    )
                break  # the first install ran on manifests only
    return Outcome(False)


@check("dockerfile", "copy_file")
def copy_file(m: DockerfileModel, file: str) -> Outcome:
    """A COPY names this file (e.g. requirements.txt) on its own, before the whole source."""
    for i in m.instrs:
        if i.cmd == "COPY" and any(re.search(file, src) for src in _copy_sources(i)):
            return Outcome(True, i.original[:80], i.line)
    return Outcome(False, f"no COPY of {file}")


def _entry_like(m: DockerfileModel, cmd: str) -> Outcome:
    found = m.of(cmd, "final")
    if found and not found[-1].json:
        last = found[-1]
        return Outcome(True, f"{cmd} {last.args[0][:60] if last.args else ''}", last.line)
    return Outcome(False)


@check("dockerfile", "shell_form_entrypoint")
def shell_form_entrypoint(m: DockerfileModel) -> Outcome:
    return _entry_like(m, "ENTRYPOINT")


@check("dockerfile", "shell_form_cmd")
def shell_form_cmd(m: DockerfileModel) -> Outcome:
    return _entry_like(m, "CMD")


@check("dockerfile", "exec_form_start")
def exec_form_start(m: DockerfileModel) -> Outcome:
    """The final stage starts its process with an exec-form ENTRYPOINT or CMD."""
    starts = m.of("ENTRYPOINT", "final") or m.of("CMD", "final")
    if starts and starts[-1].json:
        return Outcome(True, starts[-1].original[:80], starts[-1].line)
    if starts:
        return Outcome(False, "shell form", starts[-1].line)
    return Outcome(False, "no ENTRYPOINT or CMD in the final stage")


@check("dockerfile", "healthcheck")
def healthcheck(m: DockerfileModel, exec_form: bool = False) -> Outcome:
    for i in m.of("HEALTHCHECK", "final"):
        if i.args and i.args[0].upper() == "NONE":
            return Outcome(False, "HEALTHCHECK NONE disables the check", i.line)
        if exec_form and not (len(i.args) > 1 and i.args[1].lstrip().startswith("[")):
            return Outcome(False, "the check command is in shell form", i.line)
        return Outcome(True, i.original[:80], i.line)
    return Outcome(False, "no HEALTHCHECK in the final stage")


@check("dockerfile", "run_mount")
def run_mount(m: DockerfileModel, type: str, contains: str | None = None) -> Outcome:
    """A RUN uses `--mount=type=<type>` (cache, secret, ssh, bind)."""
    for i in _runs(m):
        for f in i.flags:
            if f.startswith("--mount=") and f"type={type}" in f:
                if contains and not re.search(contains, f + " " + i.text):
                    continue
                return Outcome(True, f, i.line)
    return Outcome(False, f"no RUN --mount=type={type}")


@check("dockerfile", "syntax_directive")
def syntax_directive(m: DockerfileModel) -> Outcome:
    for n, line in enumerate(m.text.splitlines(), start=1):
        if not line.strip():
            continue
        hit = re.match(r"^#\s*syntax\s*=\s*\S+", line.strip(), re.I)
        return Outcome(bool(hit), line.strip()[:60], n)
    return Outcome(False)


@check("dockerfile", "chmod_777")
def chmod_777(m: DockerfileModel) -> Outcome:
    for i in _runs(m):
        if re.search(r"\bchmod\s+(-R\s+)?(0?777|a\+rwx)\b", i.text):
            return Outcome(True, "chmod 777", i.line)
    for i in m.instrs:
        if i.cmd in ("COPY", "ADD") and i.flag("--chmod") in ("777", "0777"):
            return Outcome(True, "--chmod=777", i.line)
    return Outcome(False)


@check("dockerfile", "compose_v1")
def compose_v1(m: DockerfileModel) -> Outcome:
    for i in _runs(m):
        if re.search(r"\bdocker-compose\b", i.text):
            return Outcome(True, "uses the docker-compose v1 tool", i.line)
    return Outcome(False)


@check("dockerfile", "stage_named")
def stage_named(m: DockerfileModel, name: str) -> Outcome:
    for s in m.stages:
        if s.name and s.name.lower() == name.lower():
            return Outcome(True, f"stage {s.name}", s.line)
    return Outcome(False, f"no stage named {name}")


@check("dockerfile", "from_image")
def from_image(m: DockerfileModel, pattern: str, stage: str = "final") -> Outcome:
    stages = [m.final] if stage == "final" else m.stages
    for s in stages:
        if re.search(pattern, s.base, re.I):
            return Outcome(True, f"FROM {s.base}", s.line)
    return Outcome(False, f"FROM {m.final.base}")


def describe(m: DockerfileModel) -> dict[str, Any]:
    """A small JSON summary (used by tests and the CLI's --debug)."""
    return {
        "stages": [{"base": s.base, "name": s.name, "line": s.line} for s in m.stages],
        "instructions": [json.loads(json.dumps([i.cmd, i.line])) for i in m.instrs],
    }
