"""Web fixtures in the style of the Flask tutorial: an app on the bundled phrasebooks, its client and CLI runner.

Every app the tests make uses a throwaway SQLite file (never the checkout's
instance folder, never a database the shell's TACT_DATABASE_URL names);
`database_url` gives each store test SQLite and a private PostgreSQL in turn.
"""
import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SCRATCH = tempfile.mkdtemp(prefix="tact-tests-")
atexit.register(shutil.rmtree, _SCRATCH, True)
os.environ["TACT_DATABASE_URL"] = f"sqlite:///{_SCRATCH}/tact.sqlite3"
os.environ["TACT_CACHE_DIR"] = f"{_SCRATCH}/cache"     # loaded sets are kept here, never in the user's own cache

from tact.web import create_app  # noqa: E402  (after the database is pointed away from real ones)


@pytest.fixture
def app():
    app = create_app({"TESTING": True})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one for the session (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def postgres():
    """A private PostgreSQL server for the session (Debian's package, installed if missing)."""
    from pgcluster import Cluster
    try:
        cluster = Cluster().start()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield cluster
    cluster.destroy()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, then a database on the private PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/feedback.sqlite3"
    return request.getfixturevalue("postgres").database()
