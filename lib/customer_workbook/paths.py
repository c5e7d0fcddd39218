"""Where things are: the project root, data and report folders, and atomic file writes."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "project_root", "resolve_path"]


def project_root() -> Path:
    """The repository root (the folder holding ``pyproject.toml``), or the working directory.

    Notebooks run with the kernel's working directory set by whoever started them, so paths are
    resolved from here rather than from ``os.getcwd()``.
    """
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "notebooks").is_dir():
            return parent
    return Path.cwd()


def resolve_path(path: str | Path) -> Path:
    """Absolute paths stay as they are; relative ones resolve against :func:`project_root`."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else project_root() / path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so readers never see a half-written file.

    The bytes go to a temporary file in the same folder, which then replaces ``path`` in one step;
    an interrupt leaves either the old file or the new one, never a fragment.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Text version of :func:`atomic_write_bytes` (UTF-8)."""
    return atomic_write_bytes(path, text.encode("utf-8"))
