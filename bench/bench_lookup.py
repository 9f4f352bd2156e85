"""Department person lookups per second: gunicorn (2 workers) under wrk, on the generated population.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiekun_bench REDIS_URL=redis://127.0.0.1:6379/13 \
    SECRET_KEY=bench .venv/bin/python bench/bench_lookup.py --seconds 20 --connections 16

It issues a key for a bench client that holds the person_lookup scope (no region limit, a high rate
limit), samples ID numbers from the database (covered and not covered alike), starts gunicorn with two
sync workers and persistent database connections, runs wrk against GET /api/v1/persons/<id> with a
stated purpose, and prints requests/s, p50, p99 and the error count. Every request is a real lookup:
key check, throttle counter in Redis, the indexed coverage query and the access-log insert.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiekun_bench")
os.environ.setdefault("SECRET_KEY", "bench-not-secret")

LUA = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
math.randomseed(%(seed)d)
wrk.headers["Authorization"] = "Api-Key %(key)s"
wrk.headers["X-Purpose"] = "bench"
request = function()
  return wrk.format("GET", "/api/v1/persons/" .. ids[math.random(#ids)])
end
"""


def setup(sample: int) -> tuple[str, list[str], int, int]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # the lookup reads columns later migrations add

    from accounts.models import ApiClient, User
    from accounts.services import api_client_save, api_key_issue

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", password=None
    )
    client = ApiClient.objects.filter(name="bench-lookup").first()
    client = api_client_save(
        acting_user=admin,
        client=client,
        values={
            "name": "bench-lookup",
            "department": "bench",
            "scopes": ["person_lookup"],
            "region": None,
            "rate_per_minute": 100000,
        },
    )
    _, key = api_key_issue(acting_user=admin, client=client, days=1)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_person")
        persons = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM benefits_enrolmentmember")
        covered = cur.fetchone()[0]
        cur.execute("SELECT p.id_number FROM cases_person p TABLESAMPLE SYSTEM (1) LIMIT %s", [sample // 2])
        ids = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT p.id_number FROM benefits_enrolmentmember m JOIN cases_person p ON p.id = m.person_id "
            "LIMIT %s",
            [sample // 2],
        )
        ids += [r[0] for r in cur.fetchall()]
    random.Random(1).shuffle(ids)
    return key, ids, persons, covered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--sample", type=int, default=20000)
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads per gunicorn worker (gthread, as in the Dockerfile); 1 = sync workers",
    )
    args = parser.parse_args()

    key, ids, persons, covered = setup(args.sample)
    tmp = Path(tempfile.mkdtemp())
    (tmp / "ids.txt").write_text("\n".join(ids) + "\n")
    (tmp / "lookup.lua").write_text(LUA % {"ids": tmp / "ids.txt", "key": key, "seed": 1})
    env = {**os.environ, "CONN_MAX_AGE": "600", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "2",
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        # warm both workers' connections
        subprocess.run(
            ["wrk", "-t1", "-c4", "-d3s", "-s", str(tmp / "lookup.lua"), f"http://127.0.0.1:{args.port}"],
            capture_output=True,
            check=True,
        )
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--latency",
                "-s",
                str(tmp / "lookup.lua"),
                f"http://127.0.0.1:{args.port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(out)
    print(
        f"persons={persons} covered={covered} sample_ids={len(ids)} connections={args.connections} "
        f"seconds={args.seconds} workers=2 threads={args.threads}"
    )
    print(f"lookups/s={rps} p50={p50} p99={p99} non_2xx={errors.group(1) if errors else 0}")
    if errors:
        sys.exit("some lookups failed: the figure above is not a lookup rate")


if __name__ == "__main__":
    main()
