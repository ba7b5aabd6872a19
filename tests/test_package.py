"""The package as a user installs it: sdist -> wheel -> a fresh venv, run from outside the checkout."""
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tact.store import head_revision

ROOT = Path(__file__).resolve().parent.parent
BUILD = ("import sys; from setuptools import build_meta as b; "
         "print(getattr(b, sys.argv[1])(sys.argv[2]))")


def _build(kind: str, source: Path, out: Path) -> Path:
    done = subprocess.run([sys.executable, "-c", BUILD, kind, str(out)], cwd=source, check=True,
                          capture_output=True, text=True)
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from the sdist (as pip would), installed into a new venv with no access to app/."""
    work = tmp_path_factory.mktemp("package")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    tree = work / "tree"
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_bytes((ROOT / name).read_bytes())
    sdist = _build("build_sdist", tree, work)
    with tarfile.open(sdist) as tar:
        tar.extractall(work / "unpacked", filter="data")
    wheel = _build("build_wheel", next((work / "unpacked").iterdir()), work)

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)
    # The dependencies come from the test environment; its .pth files (the editable checkout) are not read.
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(purelib, "test-deps.pth").write_text("\n".join(deps) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TACT_")}
    return {"venv": venv, "wheel": wheel, "sdist": sdist, "cwd": work, "env": env}


def _run(installed, *args, stdin=None):
    return subprocess.run([str(installed["venv"] / "bin" / args[0]), *args[1:]], input=stdin, capture_output=True,
                          text=True, cwd=installed["cwd"], env=installed["env"], timeout=60)


def test_wheel_installs_as_tact_with_its_data(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert not [n for n in names if n.startswith("app/")], "a top-level 'app' would collide with other projects"
    for needed in ("tact/web/api.py", "tact/web/static/agent.js", "tact/templates/agent.html",
                   "tact/phrasebooks/airline.yaml", "tact/phrasebooks/checks/frames.yaml",
                   "tact/store/migrations/env.py", "tact/store/migrations/script.py.mako",
                   "tact/store/migrations/versions/0001_feedback_events.py",
                   "tact/store/migrations/versions/0002_studio.py", "tact/templates/workbench_editor.html",
                   "tact/web/static/workbench.js", "tact/web/static/feedback.js",
                   "tact/receptiveness_words.json", "tact/phrasebooks/corpus/receptiveness/team.jsonl"):
        assert needed in names
    with tarfile.open(installed["sdist"]) as tar:
        members = "\n".join(tar.getnames())
    for needed in ("phrasebooks/checks/frames.yaml", "templates/studio.html", "app/web/static/cabin.js"):
        assert needed in members
    where = _run(installed, "python", "-c", "import tact; print(tact.__file__)")
    assert str(installed["venv"]) in where.stdout
    assert _run(installed, "python", "-c", "import app").returncode != 0


def test_installed_tact_suggests_and_checks(installed):
    request = (ROOT / "examples" / "auto-insurance.json").read_text()
    done = _run(installed, "tact", "suggest", "-", stdin=request)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["suggestions"][0]["text"].endswith("?")
    checked = _run(installed, "tact", "check", "I can see you don't have auto insurance with us.")
    assert checked.returncode == 1 and "records" in checked.stdout.lower()
    assert _run(installed, "tact", "lint").returncode == 0


def test_installed_tact_migrates_its_database_from_the_wheel(installed):
    url = f"sqlite:///{installed['cwd']}/installed.sqlite3"
    done = _run(installed, "tact", "db", "upgrade", "--database", url)
    assert done.returncode == 0 and f"at revision {head_revision()}" in done.stdout, done.stderr
    stats = _run(installed, "tact", "stats", "--database", url, "--format", "csv")
    assert stats.returncode == 0 and stats.stdout.startswith("topic,phrasing,")
    added = _run(installed, "tact", "users", "add", "rita", "--role", "reviewer", "--database", url,
                 stdin="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    listed = _run(installed, "tact", "users", "list", "--database", url)
    assert "rita" in listed.stdout and "reviewer" in listed.stdout


def test_installed_tact_serves_pages_and_api(installed):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(installed["venv"] / "bin" / "tact"), "serve", "--port", str(port), "--workers", "1"],
                              cwd=installed["cwd"], env=installed["env"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        # A fresh install validates every phrasebook before it serves: give a loaded machine a minute.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        assert server.poll() is None, server.stderr.read()
        for path in ("/", "/cabin", "/studio", "/studio/login", "/static/agent.js", "/openapi.json"):
            assert urllib.request.urlopen(base + path, timeout=5).status == 200, path
        body = json.dumps({"text": "Do you also have auto insurance?"}).encode()
        answer = urllib.request.urlopen(urllib.request.Request(
            base + "/api/v1/check", data=body, headers={"Content-Type": "application/json"}), timeout=5)
        assert json.loads(answer.read())["revealing"] is False
    finally:
        server.terminate()
        server.wait(timeout=30)
