# Shared set-up steps for scripts/start and scripts/test. Each step is idempotent:
# on a machine that already has everything it only checks and moves on.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

python_bin() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)'; then
      echo "$candidate"; return 0
    fi
  done
  echo "Section 17 Audit needs Python 3.11 to 3.13; none was found." >&2
  return 1
}

install_python() {  # $1: extras, e.g. "[test]" or ""
  say "Installing Python packages into .venv"
  [ -x .venv/bin/python ] || "$(python_bin)" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${1:-}"
}

install_assets() {
  say "Installing GOV.UK Frontend and building the stylesheet"
  command -v npm >/dev/null 2>&1 || { echo "npm (Node.js 18 or later) is needed to install GOV.UK Frontend." >&2; return 1; }
  npm ci --no-audit --no-fund --loglevel=error
  npm run --silent build
}

install_system_libraries() {
  # libmagic: evidence files are judged by their content (app/evidence/file_types.py).
  if ! ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1'; then
    say "Installing libmagic, which recognises the type of an uploaded file"
    apt_install libmagic1
  fi
  # Pango: WeasyPrint lays out a return's PDF with it (app/printing).
  if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1\.0\.so\.0'; then
    say "Installing Pango, which lays out the PDF of a return"
    apt_install libpangoft2-1.0-0
  fi
}

install_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  say "Installing Chromium for the browser tests"
  apt_install chromium
}

apt_install() {  # $1: a Debian package
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y --no-install-recommends "$1" >/dev/null ||
    { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends "$1" >/dev/null; }
}

postgres_ready() {
  .venv/bin/python - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database, connect_timeout=3).close()
PY
}

start_postgres() {  # $1: a URL of a database on the server
  if postgres_ready "$1"; then return 0; fi
  say "Starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in /etc/postgresql/*; do
      as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
    done
  fi
  wait_until_ready PostgreSQL postgres_ready "$1"
}

wait_until_ready() {  # $1: the service's name; the rest: a command that succeeds once it answers
  local name="$1"; shift
  for _ in $(seq 1 30); do
    if "$@"; then return 0; fi
    sleep 1
  done
  echo "$name is not answering at ${*: -1} and could not be started." >&2
  return 1
}

redis_ready() {  # $1: a redis:// URL
  .venv/bin/python - "$1" <<'PY' >/dev/null 2>&1
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
PY
}

start_redis() {  # $1: a redis:// URL on this machine
  if redis_ready "$1"; then return 0; fi
  say "Starting Redis"
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server
  fi
  mkdir -p /tmp/section17-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/section17-redis --logfile /tmp/section17-redis/redis.log || true
  wait_until_ready Redis redis_ready "$1"
}
