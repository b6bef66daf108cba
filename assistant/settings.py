"""Runtime settings from environment variables (or a .env file), so deployments change behaviour without code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob the assistant has; names match the environment variables (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    data_dir: Path = Field(ROOT / "data", description="feedback, exports and uploads")
    cache_dir: Path = Path.home() / ".cache" / "etf-assistant"
    embedding_model: str = Field("", description="path or hub id; empty means the verified EmbeddingGemma cache")
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "reports"
    llm: str = Field("offline", description="offline | openai | ollama")
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    ollama_base_url: str = "http://127.0.0.1:11434"
    host: str = "127.0.0.1"
    port: int = 7860
    allow_remote: bool = Field(False, description="permit binding to a non-loopback address")
    allow_remote_no_auth: bool = Field(False, description="permit a non-loopback address with no login")
    auth_user: str | None = None
    auth_password: str | None = None

    @property
    def reports_dir(self) -> Path:
        return self.corpus_dir / "reports"

    @property
    def model_dir(self) -> Path:
        return self.cache_dir / "models" / "embeddinggemma-300m"


@lru_cache
def get_settings() -> Settings:
    return Settings()
