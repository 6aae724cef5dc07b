"""The evidence folder: bytes by hash, and deleting unused bytes without taking them from an upload in flight."""

from __future__ import annotations

import hashlib
import io
import os
import time

from app.evidence.storage import FolderStore

CONTENT = b"The community safety plan, page 8"
SHA = hashlib.sha256(CONTENT).hexdigest()


def kept(store: FolderStore, content: bytes = CONTENT) -> None:
    store.keep(store.receive(io.BytesIO(content), 1_000_000))


def age(store: FolderStore, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(store.path(SHA), (then, then))


def test_bytes_stored_recently_are_not_deleted_and_idle_ones_are(tmp_path):
    store = FolderStore(tmp_path)
    kept(store)
    assert not store.delete_if_idle(SHA, 600) and store.exists(SHA)
    age(store, 601)
    assert store.delete_if_idle(SHA, 600) and not store.exists(SHA)
    assert not store.delete_if_idle(SHA, 600)  # already gone: nothing to do, no error
    assert list(tmp_path.rglob("*.deleting-*")) == []


def test_storing_the_same_content_again_makes_old_bytes_recent(tmp_path):
    """An upload of a document already stored keeps no second copy, but marks the one there as wanted."""
    store = FolderStore(tmp_path)
    kept(store)
    age(store, 3600)
    kept(store)  # the same document, attached elsewhere: its row is about to be saved
    assert not store.delete_if_idle(SHA, 600) and store.exists(SHA)
    assert list(store.stored()) == [SHA] and list(store.incoming_dir.iterdir()) == []


def test_stored_lists_only_stored_files_and_abandoned_uploads_are_cleared(tmp_path):
    store = FolderStore(tmp_path)
    kept(store)
    half = store.incoming_dir / "abandoned"
    half.write_bytes(b"half an upload")
    fresh = store.incoming_dir / "being-read"
    fresh.write_bytes(b"still arriving")
    old = time.time() - 2 * 86400
    os.utime(half, (old, old))
    assert list(store.stored()) == [SHA]
    assert store.forget_abandoned_incoming(86400) == 1
    assert not half.exists() and fresh.exists()
