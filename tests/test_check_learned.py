"""The learned detector: reproducible from the corpus, scored without scikit-learn, joined to the rules."""
import json
import subprocess
import sys

import pytest

from tact.check import default_checker
from tact.check.fold import folded
from tact.check.learned import MODEL_FILE, LearnedModel
from tact.check.train import bundled_corpus, SEED, dumps, fit, learnable, read_corpus, train
from tact.model import Context

CHECK = default_checker()


@pytest.fixture(scope="module")
def retrained():
    return train(bundled_corpus(), SEED)


def test_shipped_model_is_what_the_training_command_makes_from_the_shipped_corpus(retrained):
    """Byte for byte: same corpus, same seed, same file (about 10 s of training)."""
    assert dumps(retrained) == MODEL_FILE.read_text(encoding="utf-8")


def test_plain_python_scoring_matches_scikit_learn():
    rows = learnable(read_corpus(bundled_corpus()))
    texts = [folded(r["text"]) for r in rows]
    vec, clf = fit(texts, [r["revealing"] for r in rows], SEED)
    want = clf.predict_proba(vec.transform(texts[:300]))[:, 1]
    model = LearnedModel.load()
    for text, p in zip(texts[:300], want):
        assert model.probability(text) == pytest.approx(p, abs=2e-3), text


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
    assert data["seed"] == SEED and data["rows"] == len(learnable(read_corpus(bundled_corpus())))
    assert 0.5 <= data["threshold"] < 1 and data["cv"]["precision"] >= 0.95
