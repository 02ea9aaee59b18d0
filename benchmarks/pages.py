"""How fast the web app's pages render with the demo data.

``python -m benchmarks.pages [--rounds N]`` seeds the demo into a temporary directory
(about 20 seconds), serves it in another process, signs in as the demo person each page
is for, and requests every page N times (after a warm-up), one at a time, printing
p50/p95 per page beside ``GET /health`` as the in-run baseline. Target: p95 ≤ 150 ms.
"""

import argparse
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from core.demo import DEMO_PASSWORD, demo_logins
from core.models import Role

TARGET_MS = 150
NEWCOMER = next(login.email for login in demo_logins() if login.role == Role.MENTEE.value)
COORDINATOR = next(login.email for login in demo_logins() if login.role == Role.COORDINATOR.value)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MENTORSHIP_LINK = re.compile(r'href="(/mentorships/[0-9a-f-]+)"')
MENTOR = next(login.email for login in demo_logins() if login.role == Role.MENTOR.value)
AGENCY_COORDINATOR = [login.email for login in demo_logins() if login.role == Role.COORDINATOR.value][1]
BOARD_LINK = re.compile(r'href="(/coordinator/match/[0-9a-f-]+)"')
REFERRAL_LINK = re.compile(r'href="(/coordinator/referrals/[0-9a-f-]+)"')
ADMIN = next(login.email for login in demo_logins() if login.role == Role.ORG_ADMIN.value)
AGENCY_ADMIN = [login.email for login in demo_logins() if login.role == Role.ORG_ADMIN.value][-1]
EMPLOYER_REP = next(login.email for login in demo_logins() if login.role == Role.EMPLOYER_REP.value)
VIEWER = next(login.email for login in demo_logins() if login.role == Role.VIEWER.value)
PROGRAM_LINK = re.compile(r'href="(/admin/programs/[0-9a-f-]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _signed_in(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = CSRF.search(client.get("/sign-in").text)
    assert token is not None
    answer = client.post(
        "/sign-in", data={"csrf_token": token.group(1), "email": email, "password": DEMO_PASSWORD}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in as {email} refused: {answer.status_code}")
    return client


def _time(client: httpx.Client, path: str, rounds: int) -> list[float]:
    for _ in range(3):  # warm-up: templates compiled, caches filled
        client.get(path)
    latencies = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get(path)
        latencies.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="requests per page (default 100)")
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as data_dir:
        environment = {name: value for name, value in os.environ.items() if not name.startswith("TREMPLIN_")}
        port = _free_port()
        # Plain http on loopback: httpx, unlike a browser, keeps Secure cookies to https.
        environment |= {
            "TREMPLIN_DATA_DIR": data_dir,
            "TREMPLIN_DEMO": "true",
            "TREMPLIN_PORT": str(port),
            "TREMPLIN_COOKIE_SECURE": "false",
        }
        print("Seeding the demo (about 20 seconds)…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "core.cli", "demo", "--no-serve"],
            env=environment, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        server = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "serve"],
            env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            anonymous = httpx.Client(base_url=base, timeout=30)
            for _ in range(300):
                try:
                    if anonymous.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            # The server's indexer fills the search index from the outbox first.
            with sqlite3.connect(Path(data_dir) / "tremplin.db") as database:
                for _ in range(600):
                    if database.execute("select count(*) from search_outbox").fetchone()[0] == 0:
                        break
                    time.sleep(0.1)
            newcomer = _signed_in(base, NEWCOMER)
            coordinator = _signed_in(base, COORDINATOR)
            mentorship = MENTORSHIP_LINK.search(newcomer.get("/me/mentorship").text)
            admin, agency_admin = _signed_in(base, ADMIN), _signed_in(base, AGENCY_ADMIN)
            employer_rep, viewer = _signed_in(base, EMPLOYER_REP), _signed_in(base, VIEWER)
            program = PROGRAM_LINK.search(admin.get("/admin").text)
            mentor, agency = _signed_in(base, MENTOR), _signed_in(base, AGENCY_COORDINATOR)
            board = BOARD_LINK.search(coordinator.get("/coordinator/waiting").text)
            referral = REFERRAL_LINK.search(coordinator.get("/coordinator").text)
            pages: list[tuple[str, httpx.Client, str]] = [
                ("GET /health (baseline)", anonymous, "/health"),
                ("home, anonymous", anonymous, "/"),
                ("sign-in page", anonymous, "/sign-in"),
                ("start page (coordinator)", coordinator, "/dashboard"),
                ("my profile and action plan", newcomer, "/me/profile"),
                ("mentor search, no filter", newcomer, "/mentors"),
                (
                    "mentor search, text and filters",
                    newcomer,
                    "/mentors?text=engineer&languages=fr&has_capacity=true",
                ),
                ("my proposals", newcomer, "/me/proposals"),
                ("my mentorships", newcomer, "/me/mentorship"),
                *([("one mentorship", newcomer, mentorship.group(1))] if mentorship else []),
                ("my consents", newcomer, "/me/consents"),
                ("my data", newcomer, "/me/data"),
                ("my data export (JSON)", newcomer, "/me/data/export.json"),
                ("coordinator: referral inbox", coordinator, "/coordinator"),
                *([("coordinator: a referral", coordinator, referral.group(1))] if referral else []),
                ("coordinator: waiting list", coordinator, "/coordinator/waiting"),
                *([("coordinator: matching board", coordinator, board.group(1))] if board else []),
                ("coordinator: mentorships to follow", coordinator, "/coordinator/mentorships"),
                ("agency: register and refer", agency, "/coordinator/clients/new"),
                ("agency: proposals", agency, "/coordinator/proposals"),
                ("mentor: profile", mentor, "/mentor/profile"),
                ("mentor: proposals", mentor, "/mentor/proposals"),
                ("mentor: my mentees", mentor, "/mentor/mentees"),
                ("admin: plugins and programs", admin, "/admin"),
                *([("admin: a program's rules and weights", admin, program.group(1))] if program else []),
                ("admin: integration clients", admin, "/admin/clients"),
                ("admin: members", admin, "/admin/members"),
                ("admin: audit log (agency)", agency_admin, "/admin/audit"),
                ("employer: programs and mentors", employer_rep, "/employer"),
                ("report: collaborative (lead org)", viewer, "/reports"),
                ("report: own organization (agency)", agency_admin, "/reports"),
            ]
            print(
                f"\n{'page':<36} {'p50 ms':>8} {'p95 ms':>8}   "
                f"({rounds} requests each, target p95 ≤ {TARGET_MS} ms)"
            )
            worst = 0.0
            for name, client, path in pages:
                latencies = _time(client, path, rounds)
                p50, p95 = _percentile(latencies, 0.5), _percentile(latencies, 0.95)
                if path != "/health":
                    worst = max(worst, p95)
                print(f"{name:<36} {p50:>8.1f} {p95:>8.1f}", flush=True)
            print(
                f"\nslowest page p95: {worst:.1f} ms "
                f"({'within' if worst <= TARGET_MS else 'OVER'} the target)"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
