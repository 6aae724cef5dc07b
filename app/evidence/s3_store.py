"""Evidence bytes in an S3-compatible bucket (AWS S3, MinIO, Ceph, a cloud's object storage), for a council
that runs several web servers or keeps documents off its servers' disks.

The same contract as the folder (app/evidence/storage.py): an object per content, named by its
SHA-256 under EVIDENCE_S3_PREFIX, never by the uploaded name; nothing is changed in place. Uploads
are still read, hashed and checked in the local incoming folder, then sent to the bucket. Storing
content that is there already copies the object onto itself, which renews its time as touching a
file does, so that delete_if_idle leaves bytes alone that an upload has just stored again.
Credentials come from boto3's usual chain (environment, shared files, an instance role).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from app.evidence.storage import CHUNK, HEX, Incoming, IncomingFolder, StoreUnavailable, stored_name


def s3_client(config: Mapping[str, Any]) -> Any:
    """A client for the bucket the settings name (EVIDENCE_S3_ENDPOINT_URL for a store that is not AWS)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=config.get("EVIDENCE_S3_ENDPOINT_URL") or None,
                        region_name=config.get("EVIDENCE_S3_REGION") or None,
                        config=Config(retries={"max_attempts": int(config.get("EVIDENCE_S3_MAX_ATTEMPTS") or 3),
                                               "mode": "standard"}, connect_timeout=5, read_timeout=60,
                                      s3={"addressing_style": config.get("EVIDENCE_S3_ADDRESSING") or "auto"}))


def _missing(error: Exception) -> bool:
    code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class S3Store(IncomingFolder):
    def __init__(self, client: Any, bucket: str, prefix: str, incoming_dir: Path) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.incoming_dir = incoming_dir

    def _key(self, sha256: str) -> str:
        return self.prefix + stored_name(sha256)

    def _head(self, sha256: str) -> dict[str, Any] | None:
        """The object's details, None if there is none; StoreUnavailable if the bucket does not answer."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as error:
            if _missing(error):
                return None
            raise StoreUnavailable(str(error)) from error
        except BotoCoreError as error:
            raise StoreUnavailable(str(error)) from error

    def keep(self, incoming: Incoming) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        key = self._key(incoming.sha256)
        try:
            if self._head(incoming.sha256) is not None:
                self.client.copy_object(Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": key},
                                        MetadataDirective="REPLACE",
                                        Metadata={"kept-again": datetime.now(UTC).isoformat(timespec="seconds")})
            else:
                self.client.upload_file(str(incoming.path), self.bucket, key,
                                        ExtraArgs={"ContentType": "application/octet-stream"})
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(str(error)) from error
        finally:
            incoming.path.unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self._head(sha256) is not None

    def open(self, sha256: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]

    def read(self, sha256: str) -> Iterator[bytes]:
        body = self.open(sha256)
        try:
            while chunk := body.read(CHUNK):
                yield chunk
        finally:
            body.close()

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        """The content fetched into the incoming folder for a library that reads files; removed afterwards."""
        self.incoming_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, name = tempfile.mkstemp(dir=self.incoming_dir, prefix="read-")
        os.close(handle)
        path = Path(name)
        try:
            self.client.download_file(self.bucket, self._key(sha256), name)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def delete_if_idle(self, sha256: str, idle_seconds: float) -> bool:
        """Delete the object unless it was stored (or stored again) in the last `idle_seconds`.

        A bucket cannot move an object aside in one step as a folder can: an upload of the same content
        that stores it in the few milliseconds between the look and the delete would lose it. Bytes
        nothing has used for the whole idle time are rarely attached again in that instant, but a bucket
        with versioning turned on (the README says so) keeps even that delete recoverable.
        """
        head = self._head(sha256)
        if head is None:
            return False
        if (datetime.now(UTC) - head["LastModified"]).total_seconds() < idle_seconds:
            return False
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.delete(sha256)
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(str(error)) from error
        return True

    def stored(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                name = item["Key"].rsplit("/", 1)[-1]
                if len(name) == 64 and set(name) <= HEX:
                    yield name
