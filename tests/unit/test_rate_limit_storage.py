"""Production refuses sign-in counters that each worker process keeps to itself (security.md item 2)."""

from __future__ import annotations

import pytest
from flask import Flask

from app.config import ConfigurationError, check_rate_limit_storage, configure

STRONG_KEY = "k3Jx9-vQ2mZ7_pLw4RtY8nB1cF6hD0sGa5eU-Qm8Zt2Lw"


@pytest.mark.parametrize("uri", ["memory://", "memory://anything", "", None])
def test_per_process_or_missing_storage_is_refused_with_the_setting_to_use(uri):
    with pytest.raises(ConfigurationError) as refused:
        check_rate_limit_storage(uri)
    assert "SECTION17_RATELIMIT_STORAGE_URI=redis://" in str(refused.value)


@pytest.mark.parametrize("uri", ["redis://127.0.0.1:6379/0", "rediss://cache.example:6380/1",
                                 "redis+sentinel://s1:26379/mymaster"])
def test_shared_storage_is_accepted(uri):
    check_rate_limit_storage(uri)


def test_production_with_the_default_storage_does_not_start(tmp_path, monkeypatch):
    for name in ("SECTION17_RATELIMIT_STORAGE_URI", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECTION17_ENV", "production")
    monkeypatch.setenv("SECTION17_SECRET_KEY", STRONG_KEY)
    with pytest.raises(ConfigurationError, match="memory:// counts each process separately"):
        configure(Flask("prod", instance_path=str(tmp_path)))


def test_development_keeps_memory_storage(tmp_path, monkeypatch):
    for name in ("SECTION17_ENV", "SECTION17_RATELIMIT_STORAGE_URI", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    app = Flask("dev", instance_path=str(tmp_path))
    configure(app)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
