"""A lone surrogate anywhere in a request is a 400 naming the field, never a 500."""
import json

import pytest
from click.testing import CliRunner

from tact.cli import main

LONE = "\\udfff"    # as written in JSON: an escape that decodes to an unpaired surrogate
DP = '{"key": "loyalty.tier", "value": %s, "label": %s, "provenance": "account_record"}'
CTX = '{"channel": "phone", "reason": %s, "customer_utterances": %s}'


def suggest(value='"gold"', label='"Gold member"', reason='"billing"', said='["hi"]'):
    return '{"datapoint": %s, "context": %s}' % (DP % (value, label), CTX % (reason, said))


CASES = [
    ("/api/v1/check", '{"text": "I can see %s you"}' % LONE, "text"),
    ("/api/v1/check", '{"text": "ok", "context": {"customer_utterances": ["fine", "a%sb"]}}' % LONE,
     "context.customer_utterances[1]"),
    ("/api/v1/check", '{"text": "ok", "disable": ["records-frame%s"]}' % LONE, "disable[0]"),
    ("/api/v1/suggest", suggest(value='"gold %s"' % LONE), "datapoint.value"),
    ("/api/v1/suggest", suggest(value='{"tiers": ["ok", "%s"]}' % LONE), "datapoint.value.tiers[1]"),
    ("/api/v1/suggest", suggest(value='{"%s": 1}' % LONE), "datapoint.value{0}"),
    ("/api/v1/suggest", suggest(label='"Gold %s"' % LONE), "datapoint.label"),
    ("/api/v1/suggest", suggest(reason='"%s"' % LONE), "context.reason"),
    ("/api/v1/suggest", suggest(said='["fine", "%s"]' % LONE), "context.customer_utterances[1]"),
    ("/api/v1/suggest", '{"datapoint": {"key": "a.b", "value": 1, "provenance": "%s"}, '
                        '"context": {"channel": "phone"}}' % LONE, "datapoint.provenance"),
    ("/api/v1/suggest", '{"datapoint": {"key": "a.b", "value": 1, "provenance": "observed", "x%s": 1}, '
                        '"context": {"channel": "phone"}}' % LONE, "datapoint"),
    ("/api/v1/packs", '{"flight": "TC %s", "passengers": []}' % LONE, "flight"),
    ("/api/v1/packs", '{"flight": "TC 1", "passengers": [{"seat": "1A", "name": "A. %s"}]}' % LONE,
     "passengers[0].name"),
    ("/api/v1/packs", '{"flight": "TC 1", "passengers": [{"seat": "1A", "datapoints": [%s]}]}'
     % (DP % ('"x"', '"Gold %s"' % LONE)), "passengers[0].datapoints[0].label"),
]


@pytest.mark.parametrize("path, body, field", CASES)
def test_lone_surrogate_is_a_400_naming_the_field(client, path, body, field):
    r = client.post(path, data=body.encode(), content_type="application/json")
    assert r.status_code == 400, r.get_data(as_text=True)
    error = r.get_json()["error"]
    assert error["code"] == "invalid_unicode" and error["field"] == field
    assert "surrogate" in error["message"]


def test_surrogate_pairs_are_fine(client):
    r = client.post("/api/v1/check", data=b'{"text": "Lovely \\ud83d\\ude00 to see you"}',
                    content_type="application/json")
    assert r.status_code == 200


def test_cli_rejects_lone_surrogates_from_stdin_and_arguments():
    runner = CliRunner()
    result = runner.invoke(main, ["suggest", "-"], input=suggest(label='"Gold %s"' % LONE))
    assert result.exit_code == 2 and result.stderr.startswith("tact: datapoint.label: expected valid Unicode")
    # A command-line argument that was not valid UTF-8 arrives as a lone surrogate (surrogateescape).
    result = runner.invoke(main, ["check", "--format", "json", "I can see \udcff you"])
    assert result.exit_code == 2 and result.stderr.startswith("tact: text: expected valid Unicode")


@pytest.mark.parametrize("args", [["suggest", "-"], ["check", "-"]])
def test_cli_says_when_stdin_is_not_utf8(args):
    result = CliRunner().invoke(main, args, input=b"ab\xffcd")
    assert result.exit_code == 2 and result.stderr == "tact: cannot read stdin: not UTF-8 text\n"
