"""Shared fixtures: one real Assistant (real corpus, model and Chroma index) per test session: loading takes ~15 s."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from assistant.settings import ROOT, Settings

SHARED = ROOT.parent / "shared"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium (make browser): no browser download
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "tests" / "screenshots"
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make browser)"),
]


@pytest.fixture(scope="session")
def assistant():
    from assistant.service import Assistant

    return Assistant.create()


@pytest.fixture(scope="session")
def retriever(assistant):
    return assistant.retriever


@pytest.fixture
def temp_settings(tmp_path: Path) -> Settings:
    """Settings with a private index and data folder, sharing the real model and embedding cache."""
    return Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", collection="reports-test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
