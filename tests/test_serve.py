"""`tact serve` under real gunicorn: it starts only on a validated set, every worker (a restarted one too)
serves the last validated set, and SIGHUP is the one way a new set goes live, in every worker at once."""
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TACT = str(Path(sys.executable).parent / "tact")
EXAMPLE = json.loads((ROOT / "examples" / "auto-insurance.json").read_text())
OLD_LINE = 'text: "Do you also have {{ label }}?"'
NEW_LINE = 'text: "Do you have {{ label }} as well?"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def books(tmp_path):
    folder = tmp_path / "phrasebooks"
    shutil.copytree(ROOT / "phrasebooks", folder)
    assert OLD_LINE in (folder / "insurance.yaml").read_text()
    return folder


class Server:
    def __init__(self, folder: Path, tmp: Path):
        self.port, self.pidfile, self.logfile = free_port(), tmp / "tact.pid", tmp / "serve.log"
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(self.logfile, "w")
        self.proc = subprocess.Popen([TACT, "serve", "--port", str(self.port), "--workers", "2",
                                      "--phrasebooks", str(folder), "--pid", str(self.pidfile)],
                                     cwd=tmp, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                self.health()
                if len(self.workers()) == 2:
                    return
            assert self.proc.poll() is None, self.logfile.read_text()
            time.sleep(0.1)
        raise AssertionError("tact serve did not come up: " + self.logfile.read_text())

    def health(self) -> dict:
        return json.loads(urllib.request.urlopen(self.base + "/healthz", timeout=5).read())

    def suggestion(self) -> str:
        request = urllib.request.Request(self.base + "/api/v1/suggest", data=json.dumps(EXAMPLE).encode(),
                                         headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(request, timeout=5).read())["suggestions"][0]["text"]

    def workers(self) -> set[int]:
        pid = self.proc.pid
        return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}

    def versions(self, requests: int = 20) -> set[str]:
        return {self.health()["phrasebooks"]["version"] for _ in range(requests)}

    def wait_for_log(self, text: str, timeout: float = 60) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            log = self.logfile.read_text()
            if text in log:
                return log
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never logged: {self.logfile.read_text()}")

    def stop(self):
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)
        if self.proc.poll() is None:
            self.proc.kill()
        self.log.close()


@pytest.fixture
def server(books, tmp_path):
    running = Server(books, tmp_path)
    yield running
    running.stop()


def _raw(server: Server, request: bytes) -> tuple[str, dict, dict]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return lines[0], headers, json.loads(body)


def test_restarted_workers_serve_the_last_validated_set_when_the_files_are_broken(server, books):
    version, said = server.health()["phrasebooks"]["version"], server.suggestion()
    (books / "insurance.yaml").write_text("topics: [ {id: broken\n")
    original = server.workers()
    for pid in sorted(original):   # SIGKILL each worker in turn, as an OOM kill would
        os.kill(pid, signal.SIGKILL)
        deadline = time.time() + 30
        while pid in server.workers() or len(server.workers()) < 2:
            assert time.time() < deadline, server.logfile.read_text()
            assert server.proc.poll() is None, server.logfile.read_text()
            time.sleep(0.1)
    assert not server.workers() & original
    answers = [server.health() for _ in range(20)]
    assert {a["worker"] for a in answers} <= server.workers()
    assert {a["phrasebooks"]["version"] for a in answers} == {version}
    assert server.suggestion() == said
    assert server.proc.poll() is None
    assert "Worker failed to boot" not in server.logfile.read_text()


def test_hup_with_a_valid_edit_changes_every_workers_answer(server, books):
    before = server.health()["phrasebooks"]["version"]
    assert server.suggestion() == "Do you also have auto insurance?"
    path = books / "insurance.yaml"
    path.write_text(path.read_text().replace(OLD_LINE, NEW_LINE))
    done = subprocess.run([TACT, "reload", "--pid", str(server.pidfile)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    deadline = time.time() + 60
    while (versions := server.versions()) == {before} or len(versions) > 1:
        assert time.time() < deadline, server.logfile.read_text()
        time.sleep(0.2)
    assert versions != {before}
    assert {server.suggestion() for _ in range(20)} == {"Do you have auto insurance as well?"}
    assert "phrasebooks reloaded: serving version " + versions.pop() in server.logfile.read_text()


def test_hup_with_an_edit_that_fails_validation_changes_nothing_and_logs_the_place(server, books):
    before = server.health()["phrasebooks"]["version"]
    path = books / "insurance.yaml"
    path.write_text(path.read_text().replace(OLD_LINE, 'text: "I can see you lack {{ label }}."'))
    os.kill(int(server.pidfile.read_text()), signal.SIGHUP)
    log = server.wait_for_log("phrasebooks not reloaded")
    time.sleep(1)   # gunicorn still cycles the workers after a HUP: they must come back on the same set
    assert server.versions() == {before}
    assert {server.suggestion() for _ in range(20)} == {"Do you also have auto insurance?"}
    log = server.logfile.read_text()
    assert "phrasebooks/insurance.yaml:22:17: error: insurance.auto-gap/medium/1: reveals data" in log
    assert "Traceback" not in log
    assert server.proc.poll() is None


def test_requests_gunicorn_cannot_parse_get_json_errors(server):
    for path in ("/api/v1/topics", "/"):
        status, headers, body = _raw(server, b"GET " + path.encode() + b"?q=" + b"a" * 9000
                                     + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status.startswith("HTTP/1.1 414 ") and headers["Content-Type"] == "application/json"
        assert body["error"]["code"] == "uri_too_long" and "8190 bytes" in body["error"]["message"]
        assert "aaaa" not in json.dumps(body)
    many = b"".join(b"X-Filler-%d: 1\r\n" % i for i in range(150))
    status, headers, body = _raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert status.startswith("HTTP/1.1 431 ") and body["error"]["code"] == "headers_too_large"
    status, headers, body = _raw(server, b"GET /api/v1/topics HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert status.startswith("HTTP/1.1 400 ") and body["error"] == {
        "code": "bad_request", "message": "malformed HTTP request", "field": None}
    assert server.health()["status"] == "ok"


# ---------------------------------------------------------------- start-up

@pytest.mark.parametrize("edit, place", [
    (lambda text: text.replace("    keys: [policy.auto]", "    keys: [policy.auto", 1), "insurance.yaml:8:"),
    (lambda text: text.replace(OLD_LINE, 'text: "I can see you lack {{ label }}."'), "insurance.yaml:22:17: error"),
    (lambda text: text.replace('expect: {decision: ask, says: "auto insurance"',
                               'expect: {decision: defer, says: "auto insurance"'), "insurance.yaml:33:9: error"),
], ids=["yaml", "lint", "phrasebook-test"])
def test_serve_refuses_to_start_on_a_set_that_does_not_validate(books, tmp_path, edit, place):
    path = books / "insurance.yaml"
    path.write_text(edit(path.read_text()))
    done = subprocess.run([TACT, "serve", "--port", str(free_port()), "--phrasebooks", str(books)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert place in done.stderr
    assert "Traceback" not in done.stderr and "Tact is running" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "tact: the phrasebooks do not validate; the server was not started"


def test_suggest_refuses_a_set_that_fails_lint(books, tmp_path):
    path = books / "insurance.yaml"
    path.write_text(path.read_text().replace(OLD_LINE, 'text: "{{ (label * 100000) }}?"'))
    done = subprocess.run([TACT, "suggest", "--phrasebooks", str(books), "-"], input=json.dumps(EXAMPLE),
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "insurance.yaml:22:17: error: insurance.auto-gap/medium/1: template went over its budget" in done.stderr
    assert "Traceback" not in done.stderr
    path.write_text(path.read_text().replace('text: "{{ (label * 100000) }}?"', OLD_LINE))
    done = subprocess.run([TACT, "suggest", "--phrasebooks", str(books), "-"], input=json.dumps(EXAMPLE),
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["suggestions"][0]["text"].endswith("?")


def test_reload_without_a_server_is_a_clear_error(tmp_path):
    done = subprocess.run([TACT, "reload", "--pid", str(tmp_path / "none.pid")], capture_output=True, text=True)
    assert done.returncode == 2 and "cannot signal the server" in done.stderr and "Traceback" not in done.stderr
