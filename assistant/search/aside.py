"""Moving an unreadable store aside so that it can be rebuilt, keeping only the latest broken copy for inspection."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path


def move_aside(path: Path) -> Path:
    """Rename `path` (file or folder) to `<name>.broken-<UTC time>` and delete older broken copies of it."""
    aside = path.with_name(f"{path.name}.broken-{datetime.now(UTC):%Y%m%d%H%M%S%f}")
    for old in path.parent.glob(f"{path.name}.broken-*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    shutil.move(path, aside)
    return aside
