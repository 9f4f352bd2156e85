#!/usr/bin/env bash
# Issue 20 item 2: the production install runs a task.
#
# Builds a clean virtualenv EXACTLY as the Dockerfile does (the pip command is read from the Dockerfile, so the
# two cannot drift; the tree is copied the way `COPY . .` with .dockerignore copies it), then runs a real task
# (benefits.tasks.reviews_raise_daily) through a real `celery worker` process and a Redis of its own on a spare
# port. Bounded: every step has a timeout and everything it started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(command -v python3.11 || command -v python3)
PORT=${INSTALL_CHECK_REDIS_PORT:-6398}
WORK=$(mktemp -d /tmp/jk-install-check.XXXXXX)
WORKER_PID=""
cleanup() {
  if [[ -n $WORKER_PID ]]; then kill -TERM -- "-$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; fi
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PIP_CMD=$(grep -oP '^RUN \K\s*pip install [^&\\]*' Dockerfile | head -1 | xargs)
[[ $PIP_CMD == pip\ install* ]] || { echo "no 'RUN pip install' line in the Dockerfile"; exit 1; }
echo "== clean venv, then: $PIP_CMD"
mkdir "$WORK/app"
tar --exclude=./.git --exclude=./.venv --exclude='*.egg-info' --exclude=__pycache__ --exclude=./db.sqlite3 \
  --exclude=./var --exclude=./staticfiles -cf - . | tar -xf - -C "$WORK/app"
"$PY" -m venv "$WORK/venv"
(cd "$WORK/app" && PATH="$WORK/venv/bin:$PATH" timeout 1800 $PIP_CMD -q)

redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --dir "$WORK" \
  --logfile "$WORK/redis.log"
for _ in $(seq 30); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done

export DATABASE_URL="sqlite:///$WORK/db.sqlite3" REDIS_URL="redis://127.0.0.1:$PORT/0" SECRET_KEY=install-check
export DJANGO_SETTINGS_MODULE=config.settings DEBUG=false ALLOWED_HOSTS=localhost PATH="$WORK/venv/bin:$PATH"
cd "$WORK/app"
timeout 300 python manage.py migrate --noinput -v0
setsid timeout 240 celery -A config worker --pool=solo --loglevel=INFO -n "install-check@%h" \
  --without-mingle --without-gossip >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
echo "== a real task through the worker and Redis"
if ! timeout 120 python -c "
import django; django.setup()
from benefits.tasks import reviews_raise_daily
result = reviews_raise_daily.delay()
print('task', result.id, 'answered', result.get(timeout=90))
"; then
  echo "== the task did not run; worker log:"; tail -50 "$WORK/worker.log"; exit 1
fi
grep -q "succeeded" "$WORK/worker.log" || { echo "worker log shows no success"; tail -50 "$WORK/worker.log"; exit 1; }
echo "== install check passed"
