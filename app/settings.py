"""Every path and knob in one place, read from the environment (prefix MENTOR_)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent  # the checkout, when running from one
APP_NAME = "docker-interview-mentor"


def in_checkout() -> bool:
    """True when the package runs from its source tree (editable install, tests, `make run`)."""
    return (ROOT / "pyproject.toml").is_file() and (ROOT / "knowledge").is_dir()


def content_dir(name: str) -> Path:
    """`knowledge/` or `prompts/`: the checkout's folder, where people edit them, or else the
    copy the wheel ships inside the package (setup.py copies both into app/_content/)."""
    return ROOT / name if in_checkout() else PACKAGE / "_content" / name


def default_data_dir() -> Path:
    """`data/` in a checkout; an installed package writes to the user's data folder instead of
    site-packages ($XDG_DATA_HOME or ~/.local/share). The container sets MENTOR_DATA_DIR."""
    if in_checkout():
        return ROOT / "data"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


class Settings(BaseSettings):
    """The mentor's configuration. Nothing reads the environment at import time."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_", env_file=None, extra="ignore")

    # where things live
    knowledge_dir: Path = Field(default_factory=lambda: content_dir("knowledge"))
    prompts_dir: Path = Field(default_factory=lambda: content_dir("prompts"))
    data_dir: Path = Field(default_factory=default_data_dir)
    index_dir: Path | None = None  # default: <data_dir>/index

    # retrieval
    embedding_model: str = Field(
        default="packaged:all-MiniLM-L6-v2",
        description="'packaged:all-MiniLM-L6-v2' (the PyPI package), a local folder, or a hub name",
    )
    retrieval_k: int = Field(default=5, ge=1, le=50)
    rrf_k: int = Field(default=60, ge=1)

    # LLM (OpenAI-compatible); the offline engine is used when neither key nor base URL is set
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "MENTOR_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "MENTOR_OPENAI_BASE_URL")
    )
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=1, ge=0, le=5)
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    llm_max_tokens: int = Field(default=2400, ge=16, description="cap on one generated reply")

    # web
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    database_url: str | None = None  # default: sqlite:///<data_dir>/mentor.db
    max_message_chars: int = Field(default=8000, ge=1)
    api_token: str | None = None
    secret_key: str | None = None
    rate_limit_enabled: bool = True
    rate_limit_per_minute: int = Field(default=30, ge=1, description="POSTs per identity")
    rate_limit_ip_per_minute: int = Field(default=120, ge=1, description="POSTs per IP address")
    # on SIGTERM: stop accepting, let replies in flight finish for up to this long, then exit
    # (keep it under the orchestrator's grace: compose.yaml gives the container 30 s)
    shutdown_grace_seconds: int = Field(default=25, ge=1, le=600)

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'mentor.db'}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own Settings instead."""
    return Settings()
