"""The tact command as a user runs it: JSON in and out, one clear line and exit 2 on bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tact.cli import main

EXAMPLE = Path("examples/auto-insurance.json").read_text()


@pytest.fixture
def runner():
    return CliRunner()


def test_suggest_file_prints_the_contract_response(runner):
    result = runner.invoke(main, ["suggest", "examples/auto-insurance.json"])
    assert result.exit_code == 0
    body = json.loads(result.output)
    assert body["decision"] == "ask"
    assert body["suggestions"][0]["text"] == "Do you also have auto insurance?"


def test_suggest_jsonl_one_line_each_and_errors_inline(runner):
    good = json.dumps(json.loads(EXAMPLE))
    bad = good.replace('"account_record"', '"crm"')
    result = runner.invoke(main, ["suggest", "--jsonl", "-"], input=f"{good}\n\n{bad}\n{good}\n")
    assert result.exit_code == 2
    lines = [json.loads(l) for l in result.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["decision"] == "ask" and lines[2]["decision"] == "ask"
    assert lines[1]["error"]["field"] == "datapoint.provenance" and lines[1]["error"]["line"] == 3


@pytest.mark.parametrize("stdin, message", [
    ("{nope", "tact: malformed JSON at line 1, column 2"),
    ('{"datapoint": {"key": "policy.auto", "value": 1, "provenance": "crm"}, "context": {"channel": "phone"}}',
     "tact: datapoint.provenance: expected one of"),
    ('{"datapoint": {"key": "policy.auto", "value": 1, "provenance": "observed"}, "context": {"chanel": "phone"}}',
     "tact: context.chanel: unknown field; did you mean 'channel'?"),
])
def test_bad_input_one_line_exit_2(runner, stdin, message):
    result = runner.invoke(main, ["suggest", "-"], input=stdin)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_file_is_one_line(runner):
    result = runner.invoke(main, ["suggest", "no-such.json"])
    assert result.exit_code == 2 and result.stderr.startswith("tact: cannot read no-such.json")


def test_lint_bundled_is_clean_and_broken_file_exits_1(runner, tmp_path):
    clean = runner.invoke(main, ["lint", "phrasebooks/"])
    assert clean.exit_code == 0, clean.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("topics:\n  - id: x\n    purpose: sale\n    keys: [a.b]\n    category: loyalty\n")
    result = runner.invoke(main, ["lint", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:3:14: error: 'purpose' must be one of service, marketing; got 'sale'" in result.output


def test_tact_test_passes_on_bundled_phrasebooks(runner):
    result = runner.invoke(main, ["test"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 failed")


def test_topics_lists_the_catalogue(runner):
    result = runner.invoke(main, ["topics", "--format", "json"])
    ids = {row["id"] for row in json.loads(result.output)}
    assert "insurance.auto-gap" in ids


def test_console_script_runs_as_a_process():
    result = subprocess.run([str(Path(sys.executable).parent / "tact"), "suggest", "examples/auto-insurance.json"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and json.loads(result.stdout)["decision"] == "ask"


FAILING_CASE = """
topics:
  - id: loyalty.club
    title: Club member
    keys: [loyalty.club]
    category: loyalty
    purpose: service
    decision: offer
    label: club membership
    honest_answer: "It is on your account."
    phrasings:
      low: ["Anything else?"]
      medium: ["Would you like to hear about the club?"]
      high: ["Would you like to hear what the club offers?"]
    tests:
      - name: offers the club
        datapoint: {value: gold}
        context: {channel: phone}
        expect: {decision: offer}
      - name: a wrong expectation
        datapoint: {value: gold}
        context: {channel: phone}
        expect: {decision: withhold}
"""


def test_tact_test_reports_pass_fail_by_topic_and_cases_with_v(runner, tmp_path):
    book = tmp_path / "club.yaml"
    book.write_text(FAILING_CASE)
    bundled = runner.invoke(main, ["test"])
    lines = bundled.output.splitlines()
    assert any(l.startswith("PASS insurance.auto-gap (") for l in lines)
    assert not any(l.startswith(" ") for l in lines)    # no per-case lines without -v when all pass
    result = runner.invoke(main, ["test", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "FAIL loyalty.club (1/2)"
    assert f"  FAIL a wrong expectation ({book}:" in result.output
    assert "offers the club" not in result.output
    assert result.output.strip().endswith("1 passed, 1 failed")
    verbose = runner.invoke(main, ["test", "-v", str(tmp_path)])
    assert "  ok   offers the club" in verbose.output


def test_topics_has_a_header_row(runner):
    first = runner.invoke(main, ["topics"]).output.splitlines()[0]
    assert first.split() == ["TOPIC", "PURPOSE", "DECISION", "SERVES"]


@pytest.mark.parametrize("stdin", ["", "  \n\n"])
def test_empty_input_to_suggest_says_no_input(runner, stdin):
    result = runner.invoke(main, ["suggest", "-"], input=stdin)
    assert result.exit_code == 2
    assert result.stderr.startswith("tact: no input")
    assert "malformed" not in result.stderr
