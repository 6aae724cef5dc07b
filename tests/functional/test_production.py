"""Production start-up refuses an unsafe configuration with a clear message (security.md item 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTION17 = Path(sys.executable).with_name("section17")


def _run(args, tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SECTION17_") and k != "DATABASE_URL"}
    environment.update({"SECTION17_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite", **env})
    return subprocess.run(args, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", [
    [sys.executable, "-c", "import wsgi"],
    [str(SECTION17), "routes"],
])
def test_production_without_a_secret_key_refuses_to_start(tmp_path, command):
    result = _run(command, tmp_path)
    assert result.returncode != 0
    assert "Section 17 Audit cannot start: Production needs a SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_with_a_weak_secret_key_refuses_to_start(tmp_path):
    result = _run([sys.executable, "-c", "import wsgi"], tmp_path, SECTION17_SECRET_KEY="changeme")
    assert result.returncode != 0 and "too short or well known" in result.stderr


@pytest.mark.parametrize("key,reason", [
    ("your-secret-key-here-change-me-please", "The SECRET_KEY is a placeholder from an example"),
    ("abcdefghijklmnopqrstuvwxyz123456", "The SECRET_KEY is not random enough"),
])
def test_production_with_a_placeholder_or_patterned_key_refuses_to_start(tmp_path, key, reason):
    """Both started production before: long enough, with enough different characters."""
    result = _run([sys.executable, "-c", "import wsgi"], tmp_path, SECTION17_SECRET_KEY=key)
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Section 17 Audit cannot start: {reason}")
    assert "SECTION17_SECRET_KEY" in line and "secrets.token_urlsafe(48)" in line


def test_production_with_a_strong_key_starts_without_debug(tmp_path):
    result = _run([sys.executable, "-c", "import wsgi; print(wsgi.app.debug, wsgi.app.config['SESSION_COOKIE_SECURE'])"],
                  tmp_path, SECTION17_SECRET_KEY="k3Jx9-vQ2mZ7_pLw4RtY8nB1cF6hD0sGa5eU", SECTION17_DEBUG="true",
                  SECTION17_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"
