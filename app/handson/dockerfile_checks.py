"""Named checks over parsed Dockerfiles (`dockerfile_model`): stages, users, layers, secrets."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.handson.dockerfile_model import DockerfileModel, Instr
from app.handson.rules import Checks, Outcome
from app.handson.shared import SECRET_NAME, image_ref_problem, is_literal_secret

checks = Checks("dockerfile")

# ---------------------------------------------------------------- helpers

_INSTALL = re.compile(
    r"\b(pip3?\s+install|python\s+-m\s+pip\s+install|uv\s+(pip\s+install|sync)|poetry\s+install|"
    r"pipenv\s+install|npm\s+(ci|install|i)\b|yarn(\s+install)?\b|pnpm\s+install|"
    r"go\s+mod\s+download|bundle\s+install|composer\s+install|mvn\s+\S*dependency|"
    r"cargo\s+fetch|dotnet\s+restore|gradle\s+\S*dependencies)"
)


def _is_stage_ref(model: DockerfileModel, ref: str, upto: int) -> bool:
    names = {s.name.lower() for s in model.stages[:upto] if s.name}
    return ref.lower() in names


def _copy_sources(i: Instr) -> list[str]:
    return list(i.args[:-1]) if len(i.args) >= 2 else []


# ---------------------------------------------------------------- checks


@checks("instruction")
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


@checks("multi_stage")
def multi_stage(m: DockerfileModel, min_stages: int = 2) -> Outcome:
    copies = [i for i in m.final.instrs if i.cmd == "COPY" and i.flag("--from")]
    if len(m.stages) >= min_stages and copies:
        return Outcome(True, f"{len(m.stages)} stages", copies[0].line)
    if len(m.stages) < min_stages:
        return Outcome(False, f"{len(m.stages)} stage(s)")
    return Outcome(False, "the final stage copies nothing with COPY --from")


@checks("latest_tag")
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


@checks("base_digest")
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


@checks("secret_in_env")
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


@checks("runs_as_root")
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


@checks("user_numeric")
def user_numeric(m: DockerfileModel) -> Outcome:
    users = m.of("USER", "final")
    if users and re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1].args[0] if users[-1].args else ""):
        return Outcome(True, users[-1].original, users[-1].line)
    return Outcome(False, users[-1].original if users else "no USER in the final stage")


def _runs(m: DockerfileModel) -> list[Instr]:
    return [i for i in m.instrs if i.cmd == "RUN"]


_APT_INSTALL = re.compile(r"\bapt(-get)?\s+(-\S+\s+)*install\b")
RunRule = tuple[Callable[[str, str], object], str]  # (bad(RUN text, its flags), detail)


def _first_run(m: DockerfileModel, *rules: RunRule) -> Outcome:
    """A hit at the first RUN that breaks one of `rules` (tried in order, per RUN)."""
    for i in _runs(m):
        flags = " ".join(i.flags)
        for bad, detail in rules:
            if bad(i.text, flags):
                return Outcome(True, detail, i.line)
    return Outcome(False)


@checks("apt_update_split")
def apt_update_split(m: DockerfileModel) -> Outcome:
    return _first_run(
        m,
        (
            lambda t, _: re.search(r"\bapt(-get)?\s+update\b", t) and not _APT_INSTALL.search(t),
            "apt-get update without install in the same RUN",
        ),
    )


@checks("apt_no_recommends")
def apt_no_recommends(m: DockerfileModel) -> Outcome:
    return _first_run(
        m,
        (
            lambda t, _: (
                re.search(r"\bapt-get\s+(-\S+\s+)*install\b", t)
                and "--no-install-recommends" not in t
            ),
            "apt-get install without --no-install-recommends",
        ),
    )


@checks("pkg_cache_left")
def pkg_cache_left(m: DockerfileModel) -> Outcome:
    """A package manager leaves its cache in the layer (no cleanup, no cache mount)."""
    return _first_run(
        m,
        (
            lambda t, mounts: (
                _APT_INSTALL.search(t)
                and "/var/lib/apt/lists" not in t
                and "type=cache" not in mounts
            ),
            "apt lists not removed in the same RUN",
        ),
        (
            lambda t, mounts: (
                re.search(r"\bapk\s+add\b", t)
                and "--no-cache" not in t
                and "type=cache" not in mounts
            ),
            "apk add without --no-cache",
        ),
        (
            lambda t, mounts: (
                re.search(r"\bpip3?\s+install\b|\bpython3?\s+-m\s+pip\s+install\b", t)
                and "--no-cache-dir" not in t
                and "type=cache" not in mounts
                and "PIP_NO_CACHE_DIR" not in m.text
            ),
            "pip install keeps its download cache in the layer",
        ),
    )


_ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$", re.I)


@checks("add_local")
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


@checks("copy_all_before_install")
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


@checks("copy_file")
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


@checks("shell_form_entrypoint")
def shell_form_entrypoint(m: DockerfileModel) -> Outcome:
    return _entry_like(m, "ENTRYPOINT")


@checks("shell_form_cmd")
def shell_form_cmd(m: DockerfileModel) -> Outcome:
    return _entry_like(m, "CMD")


@checks("exec_form_start")
def exec_form_start(m: DockerfileModel) -> Outcome:
    """The final stage starts its process with an exec-form ENTRYPOINT or CMD."""
    starts = m.of("ENTRYPOINT", "final") or m.of("CMD", "final")
    if starts and starts[-1].json:
        return Outcome(True, starts[-1].original[:80], starts[-1].line)
    if starts:
        return Outcome(False, "shell form", starts[-1].line)
    return Outcome(False, "no ENTRYPOINT or CMD in the final stage")


@checks("healthcheck")
def healthcheck(m: DockerfileModel, exec_form: bool = False) -> Outcome:
    for i in m.of("HEALTHCHECK", "final"):
        if i.args and i.args[0].upper() == "NONE":
            return Outcome(False, "HEALTHCHECK NONE disables the check", i.line)
        if exec_form and not (len(i.args) > 1 and i.args[1].lstrip().startswith("[")):
            return Outcome(False, "the check command is in shell form", i.line)
        return Outcome(True, i.original[:80], i.line)
    return Outcome(False, "no HEALTHCHECK in the final stage")


@checks("run_mount")
def run_mount(m: DockerfileModel, type: str, contains: str | None = None) -> Outcome:
    """A RUN uses `--mount=type=<type>` (cache, secret, ssh, bind)."""
    for i in _runs(m):
        for f in i.flags:
            if f.startswith("--mount=") and f"type={type}" in f:
                if contains and not re.search(contains, f + " " + i.text):
                    continue
                return Outcome(True, f, i.line)
    return Outcome(False, f"no RUN --mount=type={type}")


@checks("syntax_directive")
def syntax_directive(m: DockerfileModel) -> Outcome:
    for n, line in enumerate(m.text.splitlines(), start=1):
        if not line.strip():
            continue
        hit = re.match(r"^#\s*syntax\s*=\s*\S+", line.strip(), re.I)
        return Outcome(bool(hit), line.strip()[:60], n)
    return Outcome(False)


@checks("chmod_777")
def chmod_777(m: DockerfileModel) -> Outcome:
    for i in _runs(m):
        if re.search(r"\bchmod\s+(-R\s+)?(0?777|a\+rwx)\b", i.text):
            return Outcome(True, "chmod 777", i.line)
    for i in m.instrs:
        if i.cmd in ("COPY", "ADD") and i.flag("--chmod") in ("777", "0777"):
            return Outcome(True, "--chmod=777", i.line)
    return Outcome(False)


@checks("compose_v1")
def compose_v1(m: DockerfileModel) -> Outcome:
    return _first_run(
        m, (lambda t, _: re.search(r"\bdocker-compose\b", t), "uses the docker-compose v1 tool")
    )


@checks("stage_named")
def stage_named(m: DockerfileModel, name: str) -> Outcome:
    for s in m.stages:
        if s.name and s.name.lower() == name.lower():
            return Outcome(True, f"stage {s.name}", s.line)
    return Outcome(False, f"no stage named {name}")


@checks("from_image")
def from_image(m: DockerfileModel, pattern: str, stage: str = "final") -> Outcome:
    stages = [m.final] if stage == "final" else m.stages
    for s in stages:
        if re.search(pattern, s.base, re.I):
            return Outcome(True, f"FROM {s.base}", s.line)
    return Outcome(False, f"FROM {m.final.base}")
