"""Evidence files in an S3-compatible bucket (EVIDENCE_S3_BUCKET), against moto's S3 server over HTTP.

The same journeys as the folder: attach, read the words, download with the same headers, pack with
hashes that match, remove; the bytes live only in the bucket, by hash, never under the uploaded name.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile

import pytest

from tests.evidence_samples import pdf_with_text
from tests.functional.test_evidence_files import files_url, stored_files, upload
from tests.functional.test_evidence_pack import make_pack
from tests.mail_sink import free_port
from tests.support import run_queued_jobs, signed_in

PLAN = pdf_with_text("Housing service plan 2026", "Section 3: anti-social behaviour on estates")
DIGEST = hashlib.sha256(PLAN).hexdigest()
PREFIX = "south-derbyshire/evidence"


@pytest.fixture(scope="module")
def s3_url():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_url, monkeypatch):
    import boto3

    for name, value in (("AWS_ACCESS_KEY_ID", "section17-test"), ("AWS_SECRET_ACCESS_KEY", "section17-test"),
                        ("AWS_SESSION_TOKEN", "")):
        monkeypatch.setenv(name, value)
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_url, region_name="eu-west-2")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return client, name


@pytest.fixture
def app(make_app, s3_url, bucket):
    """Every test here runs on an app whose evidence store is the bucket (fixtures people, cycle and lead too)."""
    return make_app(EVIDENCE_S3_BUCKET=bucket[1], EVIDENCE_S3_ENDPOINT_URL=s3_url, EVIDENCE_S3_REGION="eu-west-2",
                    EVIDENCE_S3_PREFIX=PREFIX, EVIDENCE_UNUSED_KEPT_SECONDS=0)


def objects(bucket) -> dict[str, bytes]:
    client, name = bucket
    listed = client.list_objects_v2(Bucket=name).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=name, Key=item["Key"])["Body"].read() for item in listed}


def local_files(app) -> list:
    from pathlib import Path

    root = Path(app.instance_path) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_file_is_kept_in_the_bucket_by_its_hash_read_for_search_and_downloaded_safely(app, people, cycle, lead,
                                                                                         bucket):
    assert upload(lead, cycle.housing, ("Service plan 2026.pdf", PLAN)).status_code == 302
    assert objects(bucket) == {f"{PREFIX}/{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}": PLAN}
    assert local_files(app) == []  # nothing left on this server's disk
    run_queued_jobs(app)  # the words are read from a copy fetched from the bucket
    (row,) = stored_files(app)
    assert row.text_state == "done" and "anti-social behaviour on estates" in row.text
    assert local_files(app) == []  # and that copy is gone again
    download = signed_in(app, people.auditor).get(f"/evidence/{row.id}")
    assert download.status_code == 200 and download.data == PLAN
    assert download.headers["Content-Length"] == str(len(PLAN))
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store" and download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert signed_in(app, people.other_lead).get(f"/evidence/{row.id}").status_code == 404


def test_the_same_document_twice_is_one_object_and_goes_when_its_last_use_is_removed(app, cycle, lead, bucket):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    upload(lead, cycle.housing, ("plan copy.pdf", PLAN), question_id="staff-trained")
    first, second = stored_files(app)
    assert len(objects(bucket)) == 1
    lead.post(f"{files_url(cycle.housing)}/{first.id}/remove")
    assert len(objects(bucket)) == 1  # still used by the other answer
    lead.post(f"{files_url(cycle.housing, 'staff-trained')}/{second.id}/remove")
    assert stored_files(app) == [] and objects(bucket) == {}


def test_recent_bytes_stay_and_the_sweep_deletes_bytes_no_file_uses(app, bucket):
    from app.evidence.services import forget_orphaned_bytes
    from app.evidence.storage import evidence_store

    with app.app_context():
        store = evidence_store()
        store.keep(store.receive(io.BytesIO(PLAN), 1_000_000))  # an upload that died before saving its row
        assert not store.delete_if_idle(DIGEST, 3600) and store.exists(DIGEST)  # stored just now
        assert list(store.stored()) == [DIGEST]
        assert forget_orphaned_bytes() == 1
    assert objects(bucket) == {}


def test_the_evidence_pack_is_made_from_the_bucket_and_its_hashes_match(app, people, cycle, lead):
    upload(lead, cycle.housing, ("plan.pdf", PLAN))
    auditor = signed_in(app, people.auditor)
    job_page = make_pack(app, auditor, cycle.cycle_id)
    archive = zipfile.ZipFile(io.BytesIO(auditor.get(f"{job_page}/download").data))
    (entry,) = [name for name in archive.namelist() if name.endswith("plan.pdf")]
    assert hashlib.sha256(archive.read(entry)).hexdigest() == DIGEST


def test_a_bucket_that_does_not_answer_attaches_nothing_and_says_so(make_app, people, bucket):
    from tests.support import open_cycle

    app = make_app(EVIDENCE_S3_BUCKET=bucket[1], EVIDENCE_S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
                   EVIDENCE_S3_REGION="eu-west-2", EVIDENCE_S3_MAX_ATTEMPTS=1)
    cycle = open_cycle(app, people)
    lead = signed_in(app, people.lead)
    response = upload(lead, cycle.housing, ("plan.pdf", PLAN))
    assert response.status_code == 200
    assert "The files could not be stored just now: the evidence store did not answer. Nothing was attached." in (
        " ".join(response.get_data(as_text=True).split()))
    assert stored_files(app) == [] and local_files(app) == []
