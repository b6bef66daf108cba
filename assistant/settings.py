"""Runtime settings from environment variables (or a .env file), so deployments change behaviour without code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    llm: str = Field("offline", description="offline | local | openai | ollama")
    llm_mode: Literal["route", "agent"] = Field(
        "route", description="route: the model only chooses the tool where the rules are unsure, the composer answers; "
        "agent: the model calls tools and writes the answer (capable API models), behind the grounding guard")
    llm_route: Literal["unsure", "always"] = Field("unsure", description="which questions the model routes")
    llm_protocol: Literal["json_schema", "tool"] | None = Field(
        None, description="how a routing reply is constrained; default json_schema for local and ollama, a forced "
        "tool call for openai")
    llm_timeout: float = Field(60.0, description="seconds to wait for one model reply (a cold prompt is slow)")
    llm_threads: int | None = Field(None, description="CPU threads for LLM=local (default: all cores)")
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

    @property
    def local_llm_path(self) -> Path:
        return self.cache_dir / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

    @property
    def llama_server_path(self) -> Path:
        return self.cache_dir / "llama.cpp" / "b11434" / "llama-server"


@lru_cache
def get_settings() -> Settings:
    return Settings()
