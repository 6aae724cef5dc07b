"""benchmarks/questionnaire.py: its data, its goals, and how it tells that a gunicorn worker died.

The last test runs the production app under gunicorn and stops it the way systemd
does by default, every process of the group at once. Before app/gunicorn_hooks.py's
worker_exit, a worker was killed by the second signal while its interpreter shut
down in most such stops ("Worker (pid:...) was sent SIGTERM!").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from werkzeug.datastructures import MultiDict

from app.questionnaires.answers import parse_section
from app.questionnaires.validation import build_definition
from benchmarks import questionnaire as bench

ROOT = Path(__file__).resolve().parents[2]

LOG = """\
[2026-12-03 08:57:00 +0000] [100] [INFO] Booting worker with pid: 101
[2026-12-03 08:57:00 +0000] [100] [INFO] Booting worker with pid: 102
[2026-12-03 08:57:03 +0000] [100] [ERROR] Worker (pid:101) was sent SIGSEGV!
Fatal Python error: Segmentation fault
[2026-12-03 08:57:03 +0000] [100] [INFO] Booting worker with pid: 103
[2026-12-03 08:57:04 +0000] [100] [ERROR] Worker (pid:102) was sent code 139!
[2026-12-03 08:57:05 +0000] [100] [ERROR] Worker (pid:103) exited with code 3
[2026-12-03 08:57:06 +0000] [100] [CRITICAL] WORKER TIMEOUT (pid:104)
"""


def test_every_kind_of_worker_death_in_the_log_is_counted():
    health = bench.WorkerHealth.read(LOG)
    assert health.deaths == (
        "Worker (pid:101) was sent SIGSEGV!", "Fatal Python error: Segmentation fault",
        "Worker (pid:102) was sent code 139!", "Worker (pid:103) exited with code 3", "WORKER TIMEOUT (pid:104)",
    )
    assert health.boots == 3 and health.replaced == 1 and not health.healthy


def test_a_quiet_log_is_healthy():
    quiet = "\n".join(LOG.splitlines()[:2] + ["[2026-12-03 08:57:08 +0000] [100] [INFO] Shutting down: Master"])
    assert bench.WorkerHealth.read(quiet).healthy


def test_the_half_answered_return_answers_half_the_questions_without_a_problem():
    definition = build_definition(bench.sixty_question_definition())
    answers, problems = parse_section(definition.sections[0], MultiDict(bench.half_answered_form(
        bench.sixty_question_definition())))
    assert problems == []
    answered = {qid for qid, answer in answers.items() if answer.answered}
    assert answered == {f"q{n:02d}" for n in range(1, bench.HALF + 1)}
    assert {definition.question(qid).type for qid in answered} == {
        "yes_no", "scale", "number", "multiple_choice", "long_text", "percentage"}


def _result(runs: dict[tuple[str, int], float], p50: float = 5.0) -> bench.Result:
    result = bench.Result("SQLite", 3000)
    for (key, clients), rps in runs.items():
        result.runs[(key, clients)] = [{"rps": rps, "p50": p50, "p99": p50, "errors": 0}]
    return result


def test_the_closing_lines_say_each_goal_met_or_not():
    runs = {(key, clients): 100.0 for key, _ in bench.PAGES for clients in (1, 4)}
    runs[("plain", 4)] = 400.0
    runs[("empty_warm", 4)] = 250.0
    runs[("half_warm", 4)] = 150.0  # 0.375x: the worse of the two decides
    lines = bench.closing_lines(_result(runs), (1, 4))
    assert lines[0].startswith("SQLite: section page warm >= 0.5x the compiled plain page (4 clients): NOT met")
    assert "empty 0.62x, half answered 0.38x" in lines[0]
    assert ": met" in lines[1] and ": met" in lines[2] and ": met" in lines[3]


def _start(port: int, log: Path, database: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECTION17_SECRET_KEY": bench.SECRET,
           "SECTION17_LOG_LEVEL": "WARNING"}
    env.pop("SECTION17_ENV", None)
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--config", "python:app.gunicorn_hooks",
             "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "info", "wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=stderr)


def _wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            time.sleep(2)  # the other worker has imported the app by now, most times: both are serving
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not start:\n{log.read_text(errors='replace')}")


def test_stopping_the_whole_process_group_kills_no_worker(tmp_path):
    database = tmp_path / "empty.sqlite"
    for attempt in range(3):
        port = bench.free_port()
        log = tmp_path / f"gunicorn-{attempt}.log"
        process = _start(port, log, database)
        try:
            _wait_until_serving(process, port, log)
            for _ in range(4):  # each worker has served something and holds a database connection
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
        finally:
            os.killpg(process.pid, signal.SIGTERM)  # the master and both workers at once, as systemd does
            process.wait(timeout=60)
        text = log.read_text(errors="replace")
        health = bench.WorkerHealth.read(text)
        assert health.healthy, text
