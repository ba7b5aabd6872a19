"""The live phrasebook set on disk: its files by name, their text, and the set's version (a content hash)."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterable

from ..phrasebook import default_dir, phrasebook_files


def text_hash(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


class LiveSet:
    """The files the engine loads. Names are file names (folder-relative) as writers know them."""

    def __init__(self, paths: Iterable[str | os.PathLike] | None = None):
        self.roots = [Path(p) for p in paths] if paths else [default_dir()]

    def files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for path in phrasebook_files(self.roots):
            name = path.name if path.name not in found else str(path)
            found[name] = path
        return found

    def read(self) -> dict[str, str]:
        return {name: path.read_text(encoding="utf-8") for name, path in self.files().items()}

    def version(self, texts: dict[str, str] | None = None) -> str:
        """A hash over every file's name and text: equal on every worker that loads the same set."""
        digest = hashlib.sha256()
        for name, text in sorted((texts if texts is not None else self.read()).items()):
            digest.update(name.encode() + b"\0" + text.encode("utf-8") + b"\0")
        return digest.hexdigest()[:16]

    def write(self, changes: dict[str, str]) -> None:
        """Write each file atomically (a temporary file in the same folder, then a rename)."""
        files = self.files()
        for name, text in changes.items():
            target = files[name]
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                try:
                    os.chmod(temp, target.stat().st_mode & 0o777)
                except OSError:
                    pass
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
