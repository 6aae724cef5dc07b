"""Where evidence files' bytes are kept: a folder (the default), by SHA-256 of the content.

A file goes first to a private incoming folder while it is read, hashed and counted
(never more than the limit is read), then is checked, then moved into place as
`ab/cd/abcd...` in one rename. The uploaded name is never part of a path, so no name
can reach outside the folder or overwrite another file, and the same document
attached by two departments is stored once. Nothing is ever changed in place: a
stored file's name is its hash, which the evidence pack's manifest repeats.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from flask import current_app

if TYPE_CHECKING:
    from app.evidence.s3_store import S3Store

CHUNK = 1024 * 1024
HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Incoming:
    """A file read into the incoming folder, not yet in the store."""

    path: Path
    sha256: str
    size: int
    head: bytes


class TooLarge(Exception):
    pass


class StoreUnavailable(Exception):
    """The store could not keep or give back a file just now (a full disk, a bucket that does not answer)."""


def stored_name(sha256: str) -> str:
    """Where content is kept, relative to the store: `ab/cd/abcd...`; anything but a SHA-256 is refused."""
    if len(sha256) != 64 or not set(sha256) <= HEX:
        raise ValueError("not a SHA-256")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class IncomingFolder:
    """What every store shares: uploads are read, hashed and checked in a private local folder first."""

    incoming_dir: Path

    def receive(self, stream: BinaryIO, limit: int) -> Incoming:
        """Read the upload into the incoming folder, hashing it; TooLarge past `limit` bytes (nothing kept)."""
        self.incoming_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.incoming_dir / secrets.token_hex(16)
        digest, size, head = hashlib.sha256(), 0, b""
        try:
            with open(path, "xb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge()
                    if len(head) < 65536:
                        head += chunk[: 65536 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Incoming(path, digest.hexdigest(), size, head)

    def discard(self, incoming: Incoming) -> None:
        incoming.path.unlink(missing_ok=True)

    def forget_abandoned_incoming(self, older_than_seconds: float) -> int:
        """Remove half-received uploads left by a process that died while reading them."""
        removed = 0
        if not self.incoming_dir.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        for path in self.incoming_dir.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed


class FolderStore(IncomingFolder):
    """The embedded default: a folder on this server (instance/evidence), one file per content."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming_dir = root / ".incoming"

    def _path(self, sha256: str) -> Path:
        return self.root / stored_name(sha256)

    def keep(self, incoming: Incoming) -> None:
        """Move a checked file into the store (if the same content is there already, drop this copy).

        Content already there is touched instead: its time says it was just kept again, so that
        delete_if_idle leaves it alone while the upload that kept it is still being saved.
        """
        target = self._path(incoming.sha256)
        if target.exists():
            try:
                os.utime(target)
            except FileNotFoundError:
                pass  # deleted a moment ago: put this copy in its place
            else:
                incoming.path.unlink(missing_ok=True)
                return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(incoming.path, 0o640)
            os.replace(incoming.path, target)
        except OSError as error:
            raise StoreUnavailable(str(error)) from error

    def path(self, sha256: str) -> Path:
        return self._path(sha256)

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        """A path to the content on this server, for libraries that read files (here, the stored file itself)."""
        yield self._path(sha256)

    def open(self, sha256: str) -> BinaryIO:
        return open(self._path(sha256), "rb")  # noqa: SIM115  (closed by whoever sends it)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def read(self, sha256: str) -> Iterator[bytes]:
        with open(self._path(sha256), "rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def delete_if_idle(self, sha256: str, idle_seconds: float) -> bool:
        """Delete stored bytes unless they were kept (or kept again) in the last `idle_seconds`.

        Unused bytes may be wanted by an upload of the same content that has kept them and is a moment
        from saving its row: deleting them then would leave that row without its file. Such an upload
        has just touched them (keep), so recent bytes are left for later. The check and the delete are
        made safe against an upload in between by moving the file aside first and looking again: an
        upload that touched it before the move shows in its time, and one after finds it gone and
        keeps its own copy.
        """
        path = self._path(sha256)
        now = time.time()
        try:
            if now - path.stat().st_mtime < idle_seconds:
                return False
            aside = path.with_name(f"{path.name}.deleting-{secrets.token_hex(4)}")
            os.rename(path, aside)
        except FileNotFoundError:
            return False
        if now - aside.stat().st_mtime < idle_seconds and not path.exists():
            os.rename(aside, path)  # kept again just before the move: it stays
            return False
        aside.unlink(missing_ok=True)
        return True

    def stored(self) -> Iterator[str]:
        """The SHA-256 of every stored file (what a clean-up compares with the files the database knows)."""
        for path in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
            if len(path.name) == 64 and set(path.name) <= HEX:
                yield path.name


def _evidence_dir() -> Path:
    configured = current_app.config.get("EVIDENCE_DIR")
    root = Path(configured) if configured else Path("evidence")
    return root if root.is_absolute() else Path(current_app.instance_path) / root


def evidence_store() -> FolderStore | S3Store:
    """The store the settings name: a bucket when EVIDENCE_S3_BUCKET is set, else the folder EVIDENCE_DIR
    (default instance/evidence; a relative one is in the instance). Uploads are read into the folder's
    `.incoming` either way. One per app: a bucket's client is made once."""
    store = current_app.extensions.get("section17.evidence_store")
    if store is None:
        bucket = current_app.config.get("EVIDENCE_S3_BUCKET")
        if bucket:
            from app.evidence.s3_store import S3Store, s3_client

            store = S3Store(s3_client(current_app.config), bucket, current_app.config.get("EVIDENCE_S3_PREFIX") or "",
                            _evidence_dir() / ".incoming")
        else:
            store = FolderStore(_evidence_dir())
        current_app.extensions["section17.evidence_store"] = store
    return store


def hash_of(path: Path) -> str:
    """SHA-256 of a stored file, read again from disk: what the pack checks before it lists a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
