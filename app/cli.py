"""The `tact` command: suggest, check, lint, test, topics, serve.

Bad input gets one line on stderr naming the field, and exit 2; never a traceback.
"""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from .errors import PhrasebookError, RequestError, TactError
from .model import load_json


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"tact: {message}", err=True)
    sys.exit(code)


def _read_input(source: str | None) -> str:
    if source in (None, "-"):
        try:
            return sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            _fail("cannot read stdin: not UTF-8 text")
    try:
        with open(source, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _fail(f"cannot read {source}: not UTF-8 text")
    return ""


def _report(problems, message: str) -> None:
    """Each error as file:line:col: error: message on stderr, then one line saying what it stopped; exit 2."""
    for problem in problems:
        if problem.severity == "error":
            click.echo(problem.format(), err=True)
    _fail(message)


def _engine(phrasebooks: tuple[str, ...], linted: bool = False):
    """The engine on the given phrasebooks (the bundled set by default); with `linted`, a set with lint errors
    is refused rather than answered from with lines quietly dropped."""
    from .engine import Engine, default_engine
    from .phrasebook import PhrasebookStore
    if phrasebooks and linted:
        from .lint import lint_set
        book, problems = lint_set(list(phrasebooks))
        if any(p.severity == "error" for p in problems):
            _report(problems, "the phrasebooks have errors; fix them ('tact lint') before suggesting")
        return Engine(store=PhrasebookStore(list(phrasebooks), book=book))
    try:
        return Engine(list(phrasebooks)) if phrasebooks else default_engine()
    except PhrasebookError as exc:
        _report(exc.problems, "the phrasebooks have errors; run 'tact lint' for details")


def _dump(obj: Any, pretty: bool) -> str:
    return json.dumps(obj, indent=2 if pretty else None, ensure_ascii=False)


phrasebook_option = click.option("--phrasebooks", "-p", multiple=True, type=click.Path(),
                                 help="Phrasebook file or folder (repeatable); default: the bundled set.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tact", prog_name="tact")
def main() -> None:
    """Tact: say what the records know without sounding like surveillance."""


@main.command()
@click.argument("source", required=False)
@click.option("--jsonl", is_flag=True, help="One request a line in, one response a line out.")
@click.option("--compact", is_flag=True, help="One line of JSON instead of indented.")
@phrasebook_option
def suggest(source: str | None, jsonl: bool, compact: bool, phrasebooks: tuple[str, ...]) -> None:
    """Decide and phrase a data point: request JSON from FILE or stdin ('-')."""
    text = _read_input(source)
    engine = _engine(phrasebooks, linted=True)
    if not jsonl:
        if not text.strip():
            _fail(f"no input: expected a suggest request as JSON on {'stdin' if source in (None, '-') else source}")
        try:
            click.echo(_dump(engine.suggest(load_json(text)), not compact))
        except RequestError as exc:
            _fail(exc.message)
        return
    failed = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            click.echo(_dump(engine.suggest(load_json(line)), False))
        except RequestError as exc:
            failed = True
            click.echo(_dump({"error": {"code": exc.code, "message": exc.message, "field": exc.field,
                                        "line": number}}, False))
            click.echo(f"tact: line {number}: {exc.message}", err=True)
    if failed:
        sys.exit(2)


@main.command("check")
@click.argument("text", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None,
              help="Output format (default: text on a terminal, json otherwise).")
@click.option("--lines", is_flag=True, help="Check each input line on its own; one JSON result a line.")
@click.option("--disable", multiple=True, help="Switch off a check rule by id (repeatable).")
@click.option("--said", multiple=True, help="Something the customer said in this conversation (repeatable).")
def check_command(text: str | None, fmt: str | None, lines: bool, disable: tuple[str, ...],
                  said: tuple[str, ...]) -> None:
    """Find revealing phrasing in TEXT (or stdin with '-') and propose a question-led rewrite."""
    from .check import check, format_text
    raw = _read_input("-") if text in (None, "-") else text
    context = {"channel": "phone", "customer_utterances": list(said)} if said else None
    items = [l for l in raw.splitlines() if l.strip()] if lines else [raw]
    fmt = fmt or ("json" if lines or not sys.stdout.isatty() else "text")
    revealing = False
    for item in items:
        request: dict = {"text": item}
        if context:
            request["context"] = context
        if disable:
            request["disable"] = list(disable)
        try:
            result = check(request)
        except RequestError as exc:
            _fail(exc.message)
        revealing = revealing or result["revealing"]
        if fmt == "json":
            click.echo(_dump(result, not lines))
        else:
            click.echo(format_text(item, result, color=sys.stdout.isatty()))
    sys.exit(1 if revealing else 0)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def lint(paths: tuple[str, ...], fmt: str) -> None:
    """Report phrasebook problems as file:line:col: severity: message; exit 1 on errors."""
    from .lint import lint_paths
    problems = lint_paths(list(paths) or None)
    if fmt == "json":
        click.echo(_dump([p.to_dict() for p in problems], True))
    else:
        for problem in problems:
            click.echo(problem.format())
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    sys.exit(1 if any(p.severity == "error" for p in problems) else 0)


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--verbose", "-v", is_flag=True, help="List every case, passing ones too.")
def test_command(paths: tuple[str, ...], verbose: bool) -> None:
    """Run the phrasebooks' own test cases; pass/fail by topic (-v: by case)."""
    from .casetest import run_cases
    by_topic: dict[str, list] = {}
    for outcome in run_cases(_engine(paths)):
        by_topic.setdefault(outcome.topic, []).append(outcome)
    # Failing topics last, next to the totals, where a terminal leaves them in view.
    for topic, outcomes in sorted(by_topic.items(), key=lambda item: not all(o.passed for o in item[1])):
        good = sum(o.passed for o in outcomes)
        click.echo(f"{'PASS' if good == len(outcomes) else 'FAIL'} {topic} ({good}/{len(outcomes)})")
        for outcome in outcomes:
            if verbose or not outcome.passed:
                click.echo(f"  {'ok  ' if outcome.passed else 'FAIL'} {outcome.name} ({outcome.where})")
            for problem in outcome.problems:
                click.echo(f"       {problem}")
    passed = sum(o.passed for outcomes in by_topic.values() for o in outcomes)
    failed = sum(not o.passed for outcomes in by_topic.values() for o in outcomes)
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@main.command()
@phrasebook_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def topics(phrasebooks: tuple[str, ...], fmt: str) -> None:
    """List the topics the phrasebooks hold."""
    engine = _engine(phrasebooks)
    rows = [{"id": t.id, "purpose": t.purpose, "decision": t.decision, "keys": list(t.keys),
             "categories": list(t.categories), "file": t.file, "line": t.line}
            for t in engine.book.topics.values()]
    if fmt == "json":
        click.echo(_dump(rows, True))
        return
    click.echo(f"{'TOPIC':<36} {'PURPOSE':<9} {'DECISION':<14} SERVES")
    for row in rows:
        served = ", ".join(row["keys"]) or "generic: " + ", ".join(row["categories"])
        click.echo(f"{row['id']:<36} {row['purpose']:<9} {row['decision']:<14} {served}")


database_option = click.option("--database", metavar="URL", envvar="TACT_DATABASE_URL", show_envvar=True,
                               help="SQLAlchemy URL; default: tact.sqlite3 in the web app's instance folder.")


def _store(database: str | None):
    from .store import Store
    if not database:
        from .web import default_database_url
        database = default_database_url()
    return Store(database)


@main.group()
def db() -> None:
    """The feedback database: migrate it and prune old events."""


@db.command("upgrade")
@database_option
def db_upgrade(database: str | None) -> None:
    """Create or migrate the database to the newest schema (the web app also does this on start-up)."""
    from .store import current_revision
    store = _store(database)
    store.upgrade()
    click.echo(f"{store.display_url}: at revision {current_revision(store.engine)}")


@db.command("prune")
@database_option
@click.option("--days", type=click.FloatRange(min=0), envvar="TACT_RETENTION_DAYS", show_envvar=True,
              default=180, show_default=True, help="Keep events this many days old or newer.")
def db_prune(database: str | None, days: float) -> None:
    """Delete feedback events older than the retention."""
    from .store import feedback
    removed = feedback.prune(_store(database), days)
    click.echo(f"deleted {removed} event(s) older than {days:g} days")


@main.command()
@database_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--topic", help="Only this topic id.")
@click.option("--since", help="From this date or ISO 8601 time (default: 30 days ago).")
@click.option("--until", help="Up to this date (inclusive) or time.")
@click.option("--channel", help="A channel, or spoken / written.")
@click.option("--industry", help="Only this industry.")
def stats(database: str | None, fmt: str, **filters: str | None) -> None:
    """Feedback per topic and phrasing: shown, used, edited, declined, and the lines to rework."""
    from . import stats as figures
    from .store import feedback
    query = figures.parse_stats_query({k: v for k, v in filters.items() if v is not None},
                                      default_days=figures.DEFAULT_DAYS)
    rows = feedback.count_rows(_store(database), topic=query.topic, since=query.since, until=query.until,
                               channels=query.channels, industry=query.industry)
    summary = figures.summarise(rows, query)
    if fmt == "json":
        click.echo(_dump(summary, True))
    elif fmt == "csv":
        click.echo(figures.to_csv(summary), nl=False)
    else:
        click.echo(figures.to_table(summary))


def _password(prompt: str) -> str:
    """A password from a hidden prompt (asked twice) or, when stdin is not a terminal, its first line."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        _fail("no password: type it at the prompt or pipe it on standard input (never as an argument)")
    return line


@main.group()
def users() -> None:
    """Studio accounts: writers draft, reviewers approve and publish, admins manage accounts."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["writer", "reviewer", "admin"]), required=True)
@database_option
def users_add(name: str, role: str, database: str | None) -> None:
    """Add an account; the password is asked for (or read from stdin), never given as an argument."""
    from .studio import accounts
    store = _store(database)
    accounts.check_name(name)
    user = accounts.add_user(store, name, role, _password(f"Password for {name}"))
    click.echo(f"added {user.name} ({user.role})")


@users.command("list")
@database_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def users_list(database: str | None, fmt: str) -> None:
    """The accounts and their roles."""
    import time
    from .studio import accounts
    rows = [{**u.to_dict(), "created": time.strftime("%Y-%m-%d", time.gmtime(u.created_at))}
            for u in accounts.list_users(_store(database))]
    if fmt == "json":
        click.echo(_dump(rows, True))
        return
    click.echo(f"{'NAME':<24} {'ROLE':<9} CREATED")
    for row in rows:
        click.echo(f"{row['name']:<24} {row['role']:<9} {row['created']}")


@users.command("passwd")
@click.argument("name")
@database_option
def users_passwd(name: str, database: str | None) -> None:
    """Set a new password (the account's open sessions end)."""
    from .studio import accounts
    store = _store(database)
    if accounts.get_user(store, name) is None:
        _fail(f"no account named {name!r}")
    accounts.set_password(store, name, _password(f"New password for {name}"))
    click.echo(f"password changed for {accounts.check_name(name)}; its open sessions have ended")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["writer", "reviewer", "admin"]))
@database_option
def users_role(name: str, role: str, database: str | None) -> None:
    """Give an account another role (its open sessions end)."""
    from .studio import accounts
    accounts.set_role(_store(database), name, role)
    click.echo(f"{accounts.check_name(name)} is now a {role}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256), help="Threads per worker.")
@click.option("--pid", "pidfile", type=click.Path(dir_okay=False),
              help="Write the server's process id here; 'tact reload --pid FILE' (or kill -HUP) reloads.")
@phrasebook_option
def serve(host: str, port: int, workers: int, threads: int, pidfile: str | None,
          phrasebooks: tuple[str, ...]) -> None:
    """Run the web app under gunicorn with threaded workers, on phrasebooks validated first.

    SIGHUP validates the files again (lint and the phrasebooks' tests) and, only if they pass,
    restarts every worker on the new set; otherwise the set in service stays and the problems are logged.
    """
    from .serve import run
    try:
        run(host, port, workers, threads, phrasebooks=list(phrasebooks) or None, pidfile=pidfile)
    except PhrasebookError as exc:
        _report(exc.problems, "the phrasebooks do not validate; the server was not started")


@main.command()
@click.option("--pid", "pidfile", required=True, type=click.Path(dir_okay=False),
              help="The file 'tact serve --pid' wrote.")
def reload(pidfile: str) -> None:
    """Ask a running 'tact serve' to validate its phrasebooks again and, if they pass, serve them.

    The same as kill -HUP $(cat FILE). The outcome is in the server's log; GET /healthz shows the version
    every worker serves.
    """
    import os
    import signal
    try:
        with open(pidfile, encoding="utf-8") as handle:
            pid = int(handle.read().strip())
        os.kill(pid, signal.SIGHUP)
    except OSError as exc:
        _fail(f"cannot signal the server named in {pidfile}: {exc.strerror or exc}")
    except ValueError:
        _fail(f"{pidfile} does not hold a process id")
    click.echo(f"tact: asked the server (pid {pid}) to reload; see its log, and /healthz for the version served",
               err=True)


def run() -> None:
    """Console-script entry: any TactError becomes one line and its exit code."""
    try:
        main(standalone_mode=True)
    except RequestError as exc:
        _fail(f"--{exc.field}: {exc.detail}" if exc.field else exc.message, exc.exit_code)
    except TactError as exc:
        _fail(exc.message, exc.exit_code)


if __name__ == "__main__":
    run()
