"""`named(...)` in a topic's match: which records are the topic's own, in words a script writer reads."""
from tact import render


def holds(condition: str, key: str, label: str | None) -> bool:
    return render.evaluate(condition, {"key": key, "label": label, "value": "x"})


def test_named_reads_the_key_and_the_label_with_underscores_and_hyphens_as_spaces():
    assert holds("named('support tariff')", "water.support_tariff", None)
    assert holds("named('support tariff')", "account.scheme", "Support-Tariff")
    assert holds("named('hardship', 'concession')", "council.concession", "")
    assert not holds("named('mortgage')", "water.support_tariff", "support tariff")


def test_a_remembered_match_is_never_reused_for_another_record():
    # The same condition on two records in a row: each answer is its own, not the first one remembered.
    assert holds("named('mortgage', 'home loan')", "tariff.social", "support tariff") is False
    assert holds("named('mortgage', 'home loan')", "lending.home_loan", "loan") is True
    assert holds("named('mortgage', 'home loan')", "tariff.social", "support tariff") is False


def test_a_line_that_uses_named_is_rendered_for_its_own_record():
    line = "{% if named('usual') %}The usual?{% else %}Anything in particular?{% endif %}"
    assert render.render(line, {"key": "coffee.usual", "label": "order"}) == "The usual?"
    assert render.render(line, {"key": "coffee.size", "label": "order"}) == "Anything in particular?"

