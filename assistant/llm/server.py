"""`llama-server` as a managed child process: started once on a free loopback port, health-checked, stopped with us.

Why a child and not a service: `LLM=local` must work on a fresh machine with one command and leave nothing running
after the app stops. The server speaks the OpenAI chat-completions protocol, so it is used like any other server.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

log = logging.getLogger(__name__)
CONTEXT = 4096  # tokens: the router's prompt is ~600 and an answer ~100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM when the parent dies, even by SIGKILL."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalServer:
    """One llama-server process serving one GGUF model on 127.0.0.1."""

    def __init__(self, binary: Path, model: Path, log_file: Path, threads: int | None = None) -> None:
        self.binary, self.model, self.log_file = binary, model, log_file
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        atexit.register(self.stop)  # once per server, however often it is (re)started

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, wait: float = 180.0) -> str:
        """Start the server (a no-op while it runs) and return its base URL once it answers /health."""
        if self.running():
            return self.base_url
        for path, what in ((self.binary, "llama-server"), (self.model, "the model")):
            if not path.is_file():
                raise RuntimeError(f"{what} is not installed at {path}; run `make llm`")
        self.port = free_port()
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [str(self.binary), "-m", str(self.model), "--host", "127.0.0.1", "--port", str(self.port),
                   "-t", str(self.threads), "-c", str(CONTEXT), "-np", "1", "--no-webui"]
        with self.log_file.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            preexec_fn=_die_with_parent if os.name == "posix" else None)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not self.running():
                raise RuntimeError(f"llama-server exited with {self.process.returncode}; see {self.log_file}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    log.info("llama-server ready on port %d (%s)", self.port, self.model.name)
                    return self.base_url
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"llama-server did not become ready within {wait:.0f} s; see {self.log_file}")

    def stop(self) -> None:
        if self.running():
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
