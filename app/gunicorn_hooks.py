"""Gunicorn hooks for Section 17 Audit: `gunicorn -c python:app.gunicorn_hooks wsgi:app` (see the README).

Only how a worker starts and stops; workers, bind address and timeouts stay on the
command line (see the README). Why each hook is here:

- post_fork: faulthandler, so a worker that crashes in C code (SIGSEGV, SIGBUS,
  SIGABRT...) prints the Python stack of every thread to the server's log, where
  gunicorn alone only says "Worker (pid:...) was sent SIGSEGV!". And, should the
  app be loaded before the fork (--preload), the database pool the master made is
  dropped in the child without closing it, so no two processes ever share a
  connection. (The task queue's SQLite storage opens its connection on first use,
  and the master never queues anything.)
- worker_exit: a worker that is stopping ignores further requests to stop. A
  service manager stopping the whole group at once (systemd's default
  KillMode=control-group, Ctrl-C in a terminal, `kill -TERM -<group>`) signals
  every worker directly and then the master signals them again. The second signal
  used to arrive while the worker's interpreter was shutting down, with Python's
  handlers already gone, and kill it mid-exit: in 25 of 30 group stops a worker
  "was sent SIGTERM!" (benchmarks/questionnaire.py stops its server this way and
  counts workers that died). The master still kills a worker that outstays
  --graceful-timeout. Then the pools are closed while the interpreter is whole,
  rather than left to the garbage collector during shutdown. (Exports no longer
  run in web workers: `section17 worker` writes them, see decision 021.)
"""

from __future__ import annotations

import faulthandler
import signal
from typing import Any

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


def post_fork(server: Any, worker: Any) -> None:
    faulthandler.enable()
    preloaded = getattr(server.app, "callable", None)  # set only when the app was loaded in the master
    if preloaded is not None:
        _dispose_engines(preloaded, close=False)


def worker_exit(server: Any, worker: Any) -> None:
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    app = getattr(worker, "wsgi", None)
    if app is not None:
        _dispose_engines(app, close=True)


def _dispose_engines(app: Any, *, close: bool) -> None:
    """Drop the app's database pools: close=False in a forked child leaves the parent's connections alone."""
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return
    from app.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=close)
