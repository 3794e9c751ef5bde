"""Load: 20 signed-in users against gunicorn (2 workers, DEBUG off) for a bounded time.

`python -m bench load [--users U] [--seconds S] [--scale X] [--workers W] [--think T ...]`, or
`python -m bench.load ...`. Builds a throwaway PostgreSQL database (a test database next
to DATABASE_URL's), seeds it with bench.standings' builder (200 × X dossiers × 7
reviewers × 6 indicators, all reviews submitted) plus the accounts the users sign in
with: reviewers with draft reviews of their own to save, secretariat officers and agency
editors. Collects the static files, starts gunicorn on a free loopback port with the
production settings (config.settings: DEBUG off, the cached template loader, manifest
static files, Redis sessions when REDIS_URL is set, 2FA off by REQUIRE_STAFF_2FA=false),
signs every user in through the sign-in form, then drives them (asyncio + httpx, each
user one request at a time) until the time is up, once per think time given (by
default twice: with none, back to back, the worst case, then with 0.5–1.5 s before
each request, as people read a page): a reviewer goes
dashboard → my reviews → scoring form → save a draft → public winners page; a
secretariat officer dashboard → eligibility list → standings → public winners page; an
agency editor dashboard → dossier list → public winners page. Prints p50 / p95 / p99 and
requests/s per page beside the target (p95 < 100 ms), the errors, and the load average
before and after (the machine is shared: read the figures with it). Stops by itself and
kills its gunicorn on the way out, also on error or Ctrl-C. Figures only; nothing is
asserted about time."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100.0
PASSWORD = "bench-load-password-4e1f"
DRAFTS_PER_REVIEWER = 5


def role_mix(users: int) -> list[str]:
    """Half reviewers, three in ten secretariat officers, the rest agency editors."""
    reviewers = max(1, users // 2)
    secretariat = max(1, (users * 3) // 10) if users > 1 else 0
    editors = max(0, users - reviewers - secretariat)
    return ["reviewer"] * reviewers + ["secretariat"] * secretariat + ["editor"] * editors


def seed(dossiers: int, reviewers: int, roles: list[str]) -> dict:
    """The standings data, then the users' accounts (one shared password hash)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.urls import reverse

    from agencies.enums import AffiliationType, Role
    from agencies.models import Agency, User
    from agencies.services import role_grant
    from bench.standings import build
    from scoring.models import Assignment, ConflictDeclaration, Panel, PanelMember
    from scoring.services import review_open

    stage, category, n_scores, _owner, _nominations = build(dossiers, reviewers)
    edition = stage.edition
    panel, _created = Panel.objects.get_or_create(edition=edition, category=category)
    agencies = list(
        Agency.objects.filter(nominations__category=category).distinct().order_by("code")
    )
    nominations = list(category.nominations.order_by("pk"))
    # The server checks passwords with the production hashers (the test settings use MD5).
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    accounts = []
    next_nomination = 0
    for i, role in enumerate(roles):
        user = User.objects.create_user(f"load-{role}{i}@bench.test", full_name=f"{role} {i}")
        user.password = hashed
        user.save(update_fields=["password"])
        account = {"role": role, "email": user.email}
        if role == "reviewer":
            role_grant(user=user, role=Role.REVIEWER)
            PanelMember.objects.create(
                panel=panel, user=user, affiliation_type=AffiliationType.ACADEMIA
            )
            ConflictDeclaration.objects.create(edition=edition, reviewer=user)
            urls = []
            for _k in range(DRAFTS_PER_REVIEWER):
                nomination = nominations[next_nomination % len(nominations)]
                next_nomination += 1
                assignment = Assignment.objects.create(
                    stage=stage, nomination=nomination, reviewer=user
                )
                review_open(assignment)  # a draft with an empty score per indicator
                urls.append(reverse("scoring:review", args=[assignment.pk]))
            account["forms"] = urls
        elif role == "secretariat":
            role_grant(user=user, role=Role.SECRETARIAT)
        else:
            role_grant(user=user, role=Role.AGENCY_EDITOR, agency=agencies[i % len(agencies)])
        accounts.append(account)
    pages = {
        "dashboard": reverse("dashboard"),
        "my reviews": reverse("scoring:my_reviews"),
        "eligibility list": reverse("awards:eligibility_list"),
        "standings": reverse("scoring:standings", args=[stage.pk, category.pk]),
        "dossier list": reverse("awards:nomination_list"),
        "public winners": reverse("results:public_list"),
    }
    return {"accounts": accounts, "pages": pages, "scores": n_scores}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, folder: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-load-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: no TLS redirect, cookies without Secure.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "REQUIRE_STAFF_2FA": "false",
            "STATIC_ROOT": os.path.join(folder, "static"),
            "MEDIA_ROOT": os.path.join(folder, "media"),
            "CELERY_BROKER_DIR": os.path.join(folder, "broker"),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class Server:
    """gunicorn in a process group of its own, killed (the whole group) on stop()."""

    def __init__(self, env: dict, port: int, workers: int, log_path: str):
        self.env, self.port, self.workers, self.log_path = env, port, workers, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.tail()}")
            try:
                response = httpx.get(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=2)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s: {self.tail()}")

    def tail(self) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        finally:
            self.log.close()


# --- the users ---------------------------------------------------------------------------

VERSION_RE = re.compile(r'name="version"\s+value="(\d+)"')
POINTS_RE = re.compile(r'name="points-(\d+)"')
MAX_RE = re.compile(r'name="points-(\d+)"[^>]*\bmax="([\d.]+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


class Recorder:
    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, page: str, seconds: float, problem: str | None) -> None:
        if problem:
            self.errors[page].append(problem)
        else:
            self.times[page].append(seconds)


# Set by --think: a pause before each request, as people read. Drawn evenly between half
# and one and a half times the value (mean: the value), as load tools do (locust's
# `between`), so that users who started together do not keep arriving together.
THINK = {"seconds": 0.0}
THINK_RANDOM = random.Random(15)


async def timed(recorder, page, request, expect=200):
    import httpx

    if THINK["seconds"]:
        await asyncio.sleep(THINK["seconds"] * THINK_RANDOM.uniform(0.5, 1.5))
    start = time.perf_counter()
    try:
        response = await request()
    except httpx.HTTPError as exc:
        recorder.add(page, time.perf_counter() - start, f"{type(exc).__name__}")
        return None
    elapsed = time.perf_counter() - start
    if response.status_code != expect:
        recorder.add(page, elapsed, f"HTTP {response.status_code}")
        return None
    recorder.add(page, elapsed, None)
    return response


async def sign_in(client, email: str) -> None:
    login = await client.get("/accounts/login/")
    token = CSRF_RE.search(login.text)
    if login.status_code != 200 or token is None:
        raise RuntimeError(f"sign-in page: HTTP {login.status_code}")
    response = await client.post(
        "/accounts/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{client.base_url}accounts/login/"},
    )
    if response.status_code != 302:
        raise RuntimeError(f"{email} could not sign in: HTTP {response.status_code}")


def draft_data(html: str, step: int, token: str) -> dict | None:
    version = VERSION_RE.search(html)
    if version is None:
        return None
    maxima = {pk: float(value) for pk, value in MAX_RE.findall(html)}
    data = {"version": version.group(1), "action": "save", "csrfmiddlewaretoken": token}
    data["overall_comment"] = f"Draft {step}"
    for pk in POINTS_RE.findall(html):
        top = int(maxima.get(pk, 10))
        data[f"points-{pk}"] = str((step * 7 + int(pk)) % (top + 1))
        data[f"comment-{pk}"] = ""
    return data


async def one_round(client, base_url, account, pages, recorder, step):
    role = account["role"]
    await timed(recorder, "dashboard", lambda: client.get(pages["dashboard"]))
    if role == "reviewer":
        await timed(recorder, "my reviews", lambda: client.get(pages["my reviews"]))
        form_url = account["forms"][step % len(account["forms"])]
        response = await timed(recorder, "scoring form GET", lambda: client.get(form_url))
        if response is not None:
            data = draft_data(response.text, step, client.cookies.get("csrftoken") or "")
            if data is None:
                recorder.add("scoring form POST", 0, "no form on the page")
            else:
                await timed(
                    recorder,
                    "scoring form POST",
                    lambda: client.post(
                        form_url, data=data, headers={"Referer": f"{base_url}{form_url}"}
                    ),
                    expect=302,
                )
    elif role == "secretariat":
        await timed(recorder, "eligibility list", lambda: client.get(pages["eligibility list"]))
        await timed(recorder, "standings", lambda: client.get(pages["standings"]))
    else:
        await timed(recorder, "dossier list", lambda: client.get(pages["dossier list"]))
    await timed(recorder, "public winners", lambda: client.get(pages["public winners"]))


async def drive(base_url, accounts, pages, seconds, max_requests):
    """Sign every user in and let each go round its pages once untimed (warming the
    workers' template cache and connections), then time them all until the deadline or
    max_requests, whichever comes first."""
    import httpx

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base_url, timeout=20, limits=limits) for _ in accounts]
    try:
        await asyncio.gather(
            *(sign_in(c, a["email"]) for c, a in zip(clients, accounts, strict=True))
        )
        warm = Recorder()
        await asyncio.gather(
            *(
                one_round(c, base_url, a, pages, warm, 0)
                for c, a in zip(clients, accounts, strict=True)
            )
        )
        recorder = Recorder()
        started = time.monotonic()
        deadline = started + seconds

        def counted():
            return sum(map(len, recorder.times.values())) + sum(map(len, recorder.errors.values()))

        async def loop(client, account):
            step = 0
            while time.monotonic() < deadline and counted() < max_requests:
                step += 1
                await one_round(client, base_url, account, pages, recorder, step)

        await asyncio.gather(*(loop(c, a) for c, a in zip(clients, accounts, strict=True)))
        return recorder, warm, time.monotonic() - started
    finally:
        for client in clients:
            await client.aclose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(recorder, elapsed, args, think, dossiers, n_scores, before, after, users) -> bool:
    print(
        f"load, {users} users × {args.seconds:.0f} s against gunicorn ({args.workers} workers, "
        f"DEBUG off) on PostgreSQL, {dossiers:,} dossiers × {args.reviewers} reviewers × 6 "
        f"indicators ({n_scores:,} scores), {think:g} s mean think time, {os.cpu_count()} CPUs:"
    )
    if not think and users > args.workers:
        print(
            "  (no think time: each of the users waits for the others' requests, so a page's "
            f"time is about {users / args.workers:.0f} × its server time)"
        )
    print(f"  load average before   {before[0]:.2f} {before[1]:.2f} {before[2]:.2f} (1, 5, 15 min)")
    print(
        f"  {'page':<18} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6}   target p95 < {TARGET_P95_MS:.0f} ms"
    )
    order = [
        "dashboard",
        "my reviews",
        "scoring form GET",
        "scoring form POST",
        "eligibility list",
        "standings",
        "dossier list",
        "public winners",
    ]
    all_met = True
    total = 0
    for page in order:
        times, errors = recorder.times.get(page, []), recorder.errors.get(page, [])
        if not times and not errors:
            continue
        total += len(times) + len(errors)
        p95 = percentile(times, 95) * 1000
        met = bool(times) and p95 < TARGET_P95_MS and not errors
        all_met &= met
        print(
            f"  {page:<18} {len(times) + len(errors):8d} {len(times) / elapsed:7.1f} "
            f"{percentile(times, 50) * 1000:8.1f} {p95:8.1f} {percentile(times, 99) * 1000:8.1f} "
            f"{len(errors):6d}   {'met' if met else 'MISSED'}"
        )
        if errors:
            kinds = defaultdict(int)
            for e in errors:
                kinds[e] += 1
            print("      errors: " + ", ".join(f"{k} × {n}" for k, n in sorted(kinds.items())))
    print(f"  all pages          {total:8d} {total / elapsed:7.1f} requests/s over {elapsed:.1f} s")
    print(f"  load average after    {after[0]:.2f} {after[1]:.2f} {after[2]:.2f} (1, 5, 15 min)")
    print(f"  target p95 < {TARGET_P95_MS:.0f} ms on every page: {'met' if all_met else 'MISSED'}")
    return all_met


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--scale", type=float, default=1, help="10 = 2,000 dossiers")
    parser.add_argument("--reviewers", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[0.0, 1.0],
        help="mean seconds each user pauses before a request (drawn between 0.5 and 1.5 "
        "times it; 0: back to back, the worst case); several values run one after the "
        "other against the same server and data",
    )
    args = parser.parse_args(argv)
    dossiers = max(1, round(200 * args.scale))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    import logging

    from django.db import connection

    logging.getLogger("httpx").setLevel(logging.WARNING)  # no line per request
    if connection.vendor != "postgresql":
        print("load: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    folder = tempfile.mkdtemp(prefix="award-load-")
    server = None
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        started = time.perf_counter()
        roles = role_mix(args.users)
        seeded = seed(dossiers, args.reviewers, roles)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        built = time.perf_counter() - started
        env = server_env(database_url(connection.settings_dict), folder)
        connection.close()  # gunicorn's workers hold their own connections
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = free_port()
        server = Server(env, port, args.workers, os.path.join(folder, "gunicorn.log"))
        server.start()
        server.wait_ready()
        print(f"  (data built in {built:.1f} s; gunicorn on 127.0.0.1:{port})", flush=True)
        for think in args.think:
            THINK["seconds"] = think
            before = os.getloadavg()
            recorder, warm, elapsed = asyncio.run(
                drive(
                    f"http://127.0.0.1:{port}",
                    seeded["accounts"],
                    seeded["pages"],
                    args.seconds,
                    args.max_requests,
                )
            )
            after = os.getloadavg()
            for page, errors in warm.errors.items():
                print(f"  warm-up round: {page}: {', '.join(sorted(set(errors)))}")
            report(
                recorder,
                elapsed,
                args,
                think,
                dossiers,
                seeded["scores"],
                before,
                after,
                len(roles),
            )
        problems = server.tail().strip()
        if "Traceback" in problems or "ERROR" in problems:
            print("  gunicorn's log ends with:\n" + problems[-1500:])
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server is not None:
            server.stop()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
