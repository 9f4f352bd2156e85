#!/usr/bin/env python
"""Department person lookups per second against their floor, at 1, 8 and 32 concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiekun_bench REDIS_URL=redis://127.0.0.1:6379/13 SECRET_KEY=bench \\
        .venv/bin/python bench/bench_lookup.py [--source jiekun_bench] [--target jiekun_bench_lookup] \\
        [--seconds 15] [--clients 1,8,32] [--threads 4] [--smoke]

Works on a copy of the population (`--target`, made once from `--source`; the lookups write access-log rows).
Issues a key for a bench client holding the person_lookup scope (no region limit, a high rate limit), samples
ID numbers (half of them covered), and starts gunicorn (2 workers, `--threads` threads each as in the
Dockerfile, persistent database connections) on `lookup_floor:application`: the product plus one bare DRF
endpoint on the same tables with a static token (bench/lookup_floor.py) — the floor. For each number of
concurrent clients it runs the product's GET /api/v1/persons/<id> (key check, throttle counter in Redis, the
indexed coverage query, the durable access-log insert) and then the floor for `--seconds` each, from client
processes on this machine (keep-alive HTTP/1.1, one connection per client), and prints requests/s, p50 and p99
of both and the ratios. The target: ≥ 0.8× the floor's requests/s and p99 within 1.5×.

Before timing, both endpoints answer the same sample of ID numbers and their bodies must be equal; a key revoked
with `api_key_revoke` must be refused on the very next request. `--smoke`: a copy of DATABASE_URL's database,
1 and 8 clients for 1 s each; exits non-zero on any error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchlib import add_database_arguments, percentile, result, use_copy  # noqa: E402

FLOOR_TOKEN = "bench-floor-token"


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
            "rate_per_minute": 100_000,
        },
    )
    _, key = api_key_issue(acting_user=admin, client=client, days=1)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_person")
        persons = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM benefits_enrolmentmember")
        covered = cur.fetchone()[0]
        cur.execute("SELECT p.id_number FROM cases_person p ORDER BY random() LIMIT %s", [sample // 2])
        ids = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT p.id_number FROM benefits_enrolmentmember m JOIN cases_person p ON p.id = m.person_id "
            "ORDER BY random() LIMIT %s",
            [sample - len(ids)],
        )
        ids += [r[0] for r in cur.fetchall()]
    random.Random(1).shuffle(ids)
    return key, ids, persons, covered


def _get(conn: http.client.HTTPConnection, url: str, headers: dict) -> tuple[int, bytes]:
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _client_process(port, base, headers, ids, threads, seconds, seed, out):
    """`threads` clients in one process, each on its own keep-alive connection, for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def one(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            url = base + ids[rng.randrange(len(ids))]
            t0 = time.perf_counter()
            try:
                status, _ = _get(conn, url, headers)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            mine.append(time.perf_counter() - t0)
            if status != 200:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=one, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((latencies, errors[0]))


def load(port: int, base: str, headers: dict, ids: list[str], clients: int, seconds: float) -> dict:
    """`clients` concurrent keep-alive clients for `seconds`, spread over up to 4 processes (the GIL)."""
    procs = min(clients, 4)
    share = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    queue: multiprocessing.Queue = multiprocessing.Queue()
    started = time.perf_counter()
    ps = [
        multiprocessing.Process(
            target=_client_process, args=(port, base, headers, ids, share[i], seconds, i + 1, queue)
        )
        for i in range(procs)
    ]
    for p in ps:
        p.start()
    latencies: list[float] = []
    errors = 0
    for _ in ps:
        got, bad = queue.get()
        latencies.extend(got)
        errors += bad
    for p in ps:
        p.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / min(wall, seconds + 0.5) if latencies else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, source="jiekun_bench", target="jiekun_bench_lookup")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", default="1,8,32", help="numbers of concurrent clients, comma-separated")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--sample", type=int, default=20000)
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn worker (gthread, as in the Dockerfile)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.seconds, args.clients, args.sample = 1, "1,8", 400
    use_copy(args, "lookup")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    if not os.environ.get("REDIS_URL"):
        parser.error("set REDIS_URL: the throttle counts in Redis, as in production")

    key, ids, persons, covered = setup(args.sample)
    env = {
        **os.environ,
        "CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "BENCH_FLOOR_TOKEN": FLOOR_TOKEN,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lookup_floor:application",
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
    product = ("/api/v1/persons/", {"Authorization": f"Api-Key {key}", "X-Purpose": "bench"})
    floor = ("/bench/floor/persons/", {"Authorization": f"Token {FLOOR_TOKEN}"})
    rows = []
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        same_answers(args.port, product, floor, ids[:200])
        revoked_key_refused(args.port, ids[0])
        for clients in [int(c) for c in args.clients.split(",")]:
            load(args.port, *product, ids, min(clients, 4), 1)  # warm every worker thread's connection
            load(args.port, *floor, ids, min(clients, 4), 1)
            p = load(args.port, *product, ids, clients, args.seconds)
            f = load(args.port, *floor, ids, clients, args.seconds)
            rows.append({"clients": clients, "product": p, "floor": f})
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"persons={persons:,} covered={covered:,} sample_ids={len(ids):,} seconds={args.seconds} "
        f"gunicorn workers=2 threads={args.threads}"
    )
    print("clients | product rps p50 p99 (ms) errors | floor rps p50 p99 (ms) errors | rps ratio | p99 ratio")
    failed = False
    for r in rows:
        p, f = r["product"], r["floor"]
        print(
            f"{r['clients']:>7} | {p['rps']:8,.0f} {p['p50_ms']:6.1f} {p['p99_ms']:6.1f} {p['errors']:>4} | "
            f"{f['rps']:8,.0f} {f['p50_ms']:6.1f} {f['p99_ms']:6.1f} {f['errors']:>4} | "
            f"{p['rps'] / f['rps']:.2f}× | {p['p99_ms'] / f['p99_ms']:.2f}×"
        )
        result(f"lookup rps at {r['clients']} clients", p["rps"], f["rps"], unit="req/s", target="≥ 0.8×")
        result(f"lookup p99 at {r['clients']} clients", p["p99_ms"], f["p99_ms"], unit="ms", target="≤ 1.5×")
        failed |= bool(p["errors"] or f["errors"] or not p["requests"] or not f["requests"])
    if failed:
        raise SystemExit("some lookups failed: the figures above are not lookup rates")
    if args.smoke:
        print("smoke ok")
    return {"rows": rows}


def same_answers(port: int, product, floor, ids: list[str]) -> None:
    """The product and the floor give the same body for the same ID numbers (else the floor is not a floor)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for id_number in ids:
        a = _get(conn, product[0] + id_number, product[1])
        b = _get(conn, floor[0] + id_number, floor[1])
        if a[0] != 200 or b[0] != 200 or json.loads(a[1]) != json.loads(b[1]):
            raise SystemExit(f"product and floor disagree on {id_number}: {a} / {b}")
    conn.close()


def revoked_key_refused(port: int, id_number: str) -> None:
    """A fresh key works, is revoked, and the very next request with it is refused."""
    from accounts.models import ApiClient, ApiKey, User
    from accounts.services import api_key_issue, api_key_revoke

    admin = User.objects.filter(is_superuser=True).first()
    client = ApiClient.objects.get(name="bench-lookup")
    _, secret = api_key_issue(acting_user=admin, client=client, days=1)
    headers = {"Authorization": f"Api-Key {secret}", "X-Purpose": "bench"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    before = _get(conn, "/api/v1/persons/" + id_number, headers)[0]
    api_key_revoke(acting_user=admin, key=ApiKey.objects.get(prefix=secret.split("_")[1]))
    after = _get(conn, "/api/v1/persons/" + id_number, headers)[0]
    conn.close()
    if (before, after) != (200, 401):
        raise SystemExit(f"revoked key: {before} before, {after} after revocation (want 200, 401)")


if __name__ == "__main__":
    main()
