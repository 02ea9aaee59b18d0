"""The web app served for a real browser: the demo seeded once into a temporary SQLite
database (seeding takes about 20 seconds; SQLite is enough here, the services under the
pages run on both databases in the other suites), served by uvicorn in a subprocess on
a free loopback port, and Debian's Chromium driven by Playwright."""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"


def _unavailable(reason: str) -> None:
    """The browser tests fail rather than skip where the test command asks for them."""
    if os.environ.get("TREMPLIN_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class DemoServer:
    url: str
    database: Path

    def query(self, sql: str, *parameters: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.database) as connection:
            return list(connection.execute(sql, parameters))

    def execute(self, sql: str, *parameters: object) -> None:
        connection = sqlite3.connect(self.database)
        try:
            with connection:
                connection.execute(sql, parameters)
        finally:
            connection.close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    if not CHROMIUM.exists():
        _unavailable(
            f"Debian's Chromium ({CHROMIUM}) is needed for the browser tests: apt-get install chromium"
        )
    data_dir = tmp_path_factory.mktemp("web-demo")
    # The embedded SQLite database of the data directory, whatever the caller's settings.
    environment = {name: value for name, value in os.environ.items() if name != "TREMPLIN_DATABASE_URL"}
    environment |= {
        "TREMPLIN_DATA_DIR": str(data_dir),
        "TREMPLIN_DEMO": "true",
        "TREMPLIN_PORT": str(_free_port()),
    }
    subprocess.run(
        [sys.executable, "-m", "core.cli", "demo", "--no-serve"],
        cwd=ROOT,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    demo = DemoServer(f"http://127.0.0.1:{environment['TREMPLIN_PORT']}", data_dir / "tremplin.db")
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{demo.url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        # The server's indexer fills the mentor search index from the outbox.
        for _ in range(600):
            if demo.query("select count(*) from search_outbox")[0][0] == 0:
                break
            time.sleep(0.1)
        yield demo
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(demo_server: DemoServer) -> Iterator[Browser]:
    """Per module: Playwright's synchronous API runs an event loop of its own, which must
    be gone before the suite's asynchronous tests run."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    npm = shutil.which("npm")
    if not AXE.exists():
        if npm is None:
            _unavailable("npm is needed to install axe-core for the accessibility checks")
        assert npm is not None
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    print(f"\nscreenshots of the web app: {SCREENSHOTS}")
    return SCREENSHOTS
