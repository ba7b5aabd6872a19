"""The learned detector: reproducible from the corpus, scored without scikit-learn, joined to the rules."""
import json
import os
import subprocess
import sys

import pytest

from tact.check import default_checker
from tact.check.learned import MODEL_ENV, MODEL_FILE, LearnedModel
from tact.check.train import TARGET_PRECISION, bundled_corpus, SEED, document, dumps, fit, read_corpus, train
from tact.errors import TactError
from tact.model import Context

CHECK = default_checker()


@pytest.fixture(scope="module")
def retrained():
    return train(bundled_corpus(), SEED)


def test_shipped_model_is_what_the_training_command_makes_from_the_shipped_corpus(retrained):
    """Byte for byte: same corpus, same seed, same file (about 10 s of training)."""
    assert dumps(retrained) == MODEL_FILE.read_text(encoding="utf-8")


def test_plain_python_scoring_matches_scikit_learn():
    rows = read_corpus(bundled_corpus())
    vec, clf = fit([document(r) for r in rows], [r["revealing"] for r in rows], SEED)
    sample = [document(r) for r in rows[::13]]          # every file: lines alone and lines after the customer's words
    assert sum(bool(said) for _, said in sample) >= 100
    want = clf.predict_proba(vec.transform(sample))[:, 1]
    model = LearnedModel.load()
    for (text, said), p in zip(sample, want):
        assert model.probability(text, said) == pytest.approx(p, abs=2e-3), (text, said)


def test_runtime_needs_neither_scikit_learn_nor_numpy():
    code = ("import sys, tact; r = tact.check(\"We saw your son's graduation photos, congratulations!\"); "
            "assert r['findings'] and r['findings'][0]['rule'] == 'learned', r; "
            "print(sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("text", [
    "We saw your son's graduation photos, congratulations!",
    "Your car spends weekends in Brighton, so our coastal cover would help.",
    "Your phone's at the station car park most evenings, so our commuter bundle fits.",
])
def test_frameless_reveals_are_learned_findings(text):
    result = CHECK.check(text)
    assert result.revealing
    learned = [f for f in result.findings if f["rule"] == "learned"]
    assert learned and all(f["severity"] == "warning" for f in learned)
    for f in learned:
        assert text[f["start"]:f["end"]] == f["match"] and 0 < f["end"] - f["start"] < len(text)
    assert result.rewrite is None and result.rewrite_withheld["reason"] == "learned"


def test_a_rule_finding_keeps_its_span_and_the_model_adds_nothing_to_its_sentence():
    text = "I can see you don't have auto insurance with us."
    result = CHECK.check(text)
    assert [f["rule"] for f in result.findings] == ["records-frame", "held-data-statement"]
    assert result.rewrite == "Do you have auto insurance with us?"


def test_learned_findings_can_be_switched_off_and_respect_what_was_said():
    text = "We saw your son's graduation photos, congratulations!"
    assert CHECK.check(text).revealing and not CHECK.check(text, None, ["learned"]).revealing
    said = Context(channel="phone", customer_utterances=("My son graduated last week, I posted the photos!",))
    assert not CHECK.check(text, said).revealing


@pytest.mark.parametrize("text", ["You", "Your booking.", "Thanks so much!", "Is there anything else I can help with?",
                                  "Your flight leaves from gate 12."])
def test_short_and_plain_lines_stay_clean(text):
    assert not CHECK.check(text).revealing


def test_model_file_records_its_provenance():
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert data["seed"] == SEED and data["rows"] == len(read_corpus(bundled_corpus()))
    assert 0.5 <= data["threshold"] < 1 and 0 <= data["answered"] < data["threshold"]
    # cross-validated: what the model adds is right as often as training promises, and the whole check (the rules
    # in-sample, now also on 1,800 ordinary turns they sometimes flag) stays precise and finds nearly all
    assert data["cv"]["added_precision"] >= TARGET_PRECISION
    assert data["cv"]["precision"] >= 0.94 and data["cv"]["recall"] >= 0.91


@pytest.mark.parametrize("said, text", [
    ("the blender refund still isn't showing", "From what I can see, the blender refund went back to your card on Tuesday."),
    ("I'm worried my rent transfer didn't go", "I can see your rent transfer went through at 9:12 this morning."),
    ("my parcel still hasn't turned up", "From what I can see, your parcel is at the local depot and goes out tomorrow."),
])
def test_a_framed_answer_to_what_the_customer_raised_is_service_and_the_same_line_unasked_is_not(said, text):
    """The rules miss that these answer the customer (no question asked); the model, reading their words, clears
    the frame, and still flags the same line after words about something else."""
    assert CHECK.check(text, Context(channel="chat", customer_utterances=(said,)), ["learned"]).revealing
    assert not CHECK.check(text, Context(channel="chat", customer_utterances=(said,))).revealing
    assert CHECK.check(text, Context(channel="chat", customer_utterances=("Thanks, that's all.",))).revealing
    assert CHECK.check(text).revealing


ASKED = "Has the refund for my blender gone back to my card yet?"


def test_the_model_reads_the_customers_words():
    model = LearnedModel.load()
    text = "Your refund for the blender went back to your card on Tuesday."
    assert model.probability(text, (ASKED,)) < model.probability(text, ("What time do you close today?",))
    volunteered = "With all the protein shakes you order, our bulk plan would save you money."
    assert model.probability(volunteered, ("Can I change my delivery address?",)) >= model.threshold
    assert not model.answers(volunteered, ("Can I change my delivery address?",))


def _tact(args: list[str], env: dict) -> subprocess.CompletedProcess:
    code = "import sys; from tact.cli import run; sys.argv = ['tact', *sys.argv[1:]]; run()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, **env})


def test_an_organisation_retrains_and_the_installed_check_uses_its_model(tmp_path):
    """Their own labelled lines, `--out` a file of theirs, TACT_CHECK_MODEL pointing at it."""
    lines = [{"text": f"{w.title()} tier status is under review for this account.", "revealing": True,
              "kind": "held-data-statement", "why": "volunteers the tier"} for w in
             ("gold", "silver", "bronze", "platinum", "ruby", "jade", "amber", "pearl", "onyx", "opal")]
    lines += [{"text": f"{w.title()} tier status is explained on our website.", "revealing": False,
               "kind": "generic-offer", "why": "an offer to everyone"} for w in
              ("gold", "silver", "bronze", "platinum", "ruby", "jade", "amber", "pearl", "onyx", "opal")]
    corpus, model = tmp_path / "ours.jsonl", tmp_path / "our-model.json"
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "tact.check.train", "--no-bundled", "--corpus", str(corpus),
                          "--out", str(model)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert MODEL_FILE.read_text(encoding="utf-8") != model.read_text(encoding="utf-8")
    line = "Diamond tier status is under review for this account."
    assert not CHECK.check(line).revealing                      # the shipped check lets it pass
    ours = _tact(["check", "--format", "json", line], {MODEL_ENV: str(model)})
    assert ours.returncode == 1, ours.stderr
    assert [f["rule"] for f in json.loads(ours.stdout)["findings"]] == ["learned"]
    plain = _tact(["check", "--format", "json", "Diamond tier status is explained on our website."],
                  {MODEL_ENV: str(model)})
    assert plain.returncode == 0 and not json.loads(plain.stdout)["findings"]


@pytest.mark.parametrize("content, message", [
    (None, "cannot read the check model"),
    ("{not json", ":1:2: the check model is not valid JSON"),
    ('{"terms": {}}', "not a check model"),
])
def test_a_bad_model_file_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TactError, match=message):
        LearnedModel.load(path)
    out = _tact(["check", "I can see you don't have auto insurance."], {MODEL_ENV: str(path)})
    assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr
