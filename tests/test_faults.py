"""Real faults, not mocks (issue 20 item 4): a Celery worker killed with SIGKILL in the middle of a task, and a
Redis server stopped in the middle of a run. Each time the work ends visibly — finished after the message is
delivered again (`acks_late`, the visibility timeout) or queued again by the one sweeper — and the API keeps
answering without a 500.

Both start their OWN redis-server on port 6397 (never the shared 6379; one test at a time holds it, through a
file lock, so parallel test processes cannot meet there) and point a worker and the test's producer at it; the
Redis test also points the cache at it, stops it mid-run and starts it again.

Skipped unless the database is PostgreSQL and `redis-server` is on the PATH (CI has both). Marked `fault`: they
run in the suite (each well under a minute).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from conftest import make_id
from tests.test_reconciliation_worker import Worker, _end_other_sessions, wait_for

pytestmark = [
    pytest.mark.fault,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres") or not shutil.which("redis-server"),
        reason="needs a PostgreSQL DATABASE_URL and redis-server",
    ),
]
PERIOD = "2025H2"
SECOND_REDIS_PORT = 6397


def _env(media, redis_url: str) -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "worker-test",
        "MEDIA_ROOT": str(media),
        "CONN_MAX_AGE": "0",
        # a message whose worker died is handed out again after 3 s, looked for every second
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_RESTORE_INTERVAL": "1",
        "CELERY_RESTORE_THROTTLE": "1",
    }


def _officer():
    from accounts.models import User

    return User.objects.create_user(
        username="fault-co", password="pass-Word-123", role="county", region_id="360102"
    )


def _death_csv() -> bytes:
    return f"身份证号码,姓名,死亡日期\n{make_id()},张三,2025-08-01\n".encode()


def _upload(officer):
    from ledgers.services import extract_upload

    return extract_upload(
        principal=officer,
        file=SimpleUploadedFile("death.csv", _death_csv()),
        original_name="death.csv",
        kind="death",
        period=PERIOD,
    )


def _status(extract_id: int) -> str:
    from ledgers.models import Extract

    return Extract.objects.get(pk=extract_id).status


@pytest.fixture
def celery_app():
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = eager


def test_a_worker_killed_mid_task_has_its_task_delivered_again(celery_app, second_redis, settings, tmp_path):
    """The worker is inside the extract's task (waiting on a row lock another session holds) when it is killed
    with SIGKILL; the message was never acknowledged, so a new worker gets it again and the extract is loaded."""
    import psycopg2
    import redis

    from accounts.models import Event

    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    env = _env(media, second_redis.url)
    broker = redis.Redis.from_url(second_redis.url)
    officer = _officer()
    db = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    worker = None
    try:
        extract = _upload(officer)  # committed: its message is queued on commit
        with blocker.cursor() as cursor:
            cursor.execute("SELECT id FROM ledgers_extract WHERE id = %s FOR UPDATE", [extract.pk])
        worker = Worker(env, tmp_path / "worker-1.log")
        with connection.cursor() as cursor:

            def task_waiting() -> bool:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                return cursor.fetchone()[0] == 1

            wait_for(task_waiting, "the task to be inside the extract's transaction", worker, timeout=40)
        worker.kill()  # SIGKILL, mid-task: no acknowledgement, no clean-up
    finally:
        blocker.rollback()
        blocker.close()
    _end_other_sessions()
    assert _status(extract.pk) == "uploaded"  # nothing half-done, and it still says it waits
    assert broker.hlen("unacked") == 1  # the message is held, unacknowledged, for redelivery
    time.sleep(3.5)  # past the visibility timeout
    worker = Worker(env, tmp_path / "worker-2.log")
    try:
        wait_for(lambda: _status(extract.pk) == "loaded", "the task delivered again", worker, timeout=40)
    finally:
        worker.stop()
        _end_other_sessions()
    assert not Event.objects.filter(verb="比对数据重新排队").exists()  # redelivered, not swept


class SecondRedis:
    """A redis-server of this test's own on port 6397, without persistence; stopped and started at will."""

    url = f"redis://127.0.0.1:{SECOND_REDIS_PORT}/0"

    def __init__(self, tmp_path):
        self.dir = tmp_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(SECOND_REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=SECOND_REDIS_PORT, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


@pytest.fixture
def second_redis(tmp_path, monkeypatch):
    """The second Redis, started; the extract's task is sent there (through `config.queueing.enqueue`, as the
    service sends it) by a producer that gives up at once when it is down."""
    import fcntl

    from celery import Celery

    from config.queueing import enqueue
    from ledgers.services import extracts

    with open("/tmp/jiekun-test-redis-6397.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server = SecondRedis(tmp_path)
        server.start()
        producer = Celery("fault-producer", broker=server.url, set_as_current=False)
        producer.conf.broker_connection_retry = False
        producer.conf.broker_connection_max_retries = 0
        producer.conf.task_publish_retry_policy = {
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
        }

        class ExtractTask:
            name = "ledgers.extract_process"

            def delay(self, *args):
                producer.send_task(self.name, args=list(args))

        monkeypatch.setattr(extracts, "_queue_process", lambda pk: enqueue(ExtractTask(), pk))
        try:
            yield server
        finally:
            server.stop()


def test_redis_stopped_mid_run_work_waits_visibly_and_finishes_and_the_api_answers(
    celery_app, second_redis, settings, tmp_path, client
):
    from accounts.models import Event
    from common import background

    url = second_redis.url
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.EXTRACT_STALE_MINUTES = 30
    settings.REDIS_URL = url  # what /healthz checks
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    officer = _officer()
    worker = Worker(_env(media, url), tmp_path / "worker.log")
    try:
        first = _upload(officer)
        wait_for(lambda: _status(first.pk) == "loaded", "the first extract loaded", worker, timeout=40)

        second_redis.stop()  # Redis goes away mid-run
        started = time.monotonic()
        second = _upload(officer)  # committed; the message cannot be sent: logged, the request does not fail
        assert time.monotonic() - started < 30
        assert _status(second.pk) == "uploaded"  # visible as waiting, not lost, not half-done
        response = client.get("/api/v1/eligibility/standards?region=360102")
        assert response.status_code == 200, response.status_code  # the throttle counts in process memory
        health = client.get("/healthz")
        assert (health.status_code, health.json()) == (
            200,
            {"status": "degraded", "database": "ok", "redis": "error"},
        )

        second_redis.start()  # Redis is back (empty: it kept nothing)
        counts = background.sweep(now=timezone.now() + dt.timedelta(minutes=31), keys=["extract"])
        assert counts["extract"]["requeued"] == 1
        wait_for(lambda: _status(second.pk) == "loaded", "the swept extract loaded", worker, timeout=50)
        assert Event.objects.filter(verb="比对数据重新排队", target_id=str(second.pk)).count() == 1
        assert client.get("/healthz").json()["status"] == "ok"
    finally:
        worker.stop()
        _end_other_sessions()
