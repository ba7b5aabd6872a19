"""The sandbox: language filters work, hostile templates fail cleanly and fast."""
import time

import pytest

from tact.errors import TemplateError
from tact.render import article, evaluate, indefinite, join_words, plural, render


@pytest.mark.parametrize("phrase, expected", [
    ("aisle seat", "an aisle seat"), ("upgrade", "an upgrade"), ("hour", "an hour"), ("user", "a user"),
    ("8-hour flight", "an 8-hour flight"), ("11 kg bag", "an 11 kg bag"), ("18th birthday", "an 18th birthday"),
    ("1,800 points", "a 1,800 points"), ("80 GB plan", "an 80 GB plan"), ("5 star stay", "a 5 star stay"),
])
def test_article_reads_digits_as_spoken(phrase, expected):
    assert article(phrase) == expected


def test_plural_and_joins():
    assert plural("policy") == "policies"
    assert plural("policy", 1) == "policy"
    assert join_words(["tea", "coffee", "juice"], "or") == "tea, coffee or juice"
    assert join_words(["tea", "coffee"]) == "tea and coffee"


def test_render_filters_inside_templates_and_folds_space():
    text = render("Would you like {{ label | a }}?\n  {{ items | join_words('or') }}",
                  {"label": "aisle seat", "items": ["water", "juice"]})
    assert text == "Would you like an aisle seat? water or juice"


@pytest.mark.parametrize("template", [
    "{{ value.__class__.__mro__ }}",
    "{{ value.upper() }}",
    "{{ context.items() }}",
    "{{ 'a' * 100000 }}",
    "{{ 9 ** 99999 }}",
    "{{ range(100000) | list }}",
    "{{ missing }}",
    "{{ value | attr('__class__') }}",
    "{% for i in range(50) %}{% for j in range(50) %}xxxxxxxx{% endfor %}{% endfor %}",
    "{{ lipsum() }}",
    "{{ 1 / 0 }}",
])
def test_hostile_templates_raise_template_error_quickly(template):
    started = time.perf_counter()
    with pytest.raises(TemplateError):
        render(template, {"value": "v", "context": {"channel": "phone"}})
    assert time.perf_counter() - started < 1.0


def test_condition_blocked_attribute_raises_instead_of_reading_none():
    with pytest.raises(TemplateError):
        evaluate("value.__class__ is none", {"value": "x"})
    assert evaluate("context.stage == 'wrap_up'", {"context": {"stage": "wrap_up"}})
    assert not evaluate("value in ['none', false]", {"value": "active"})


def test_remembered_output_never_crosses_values():
    """Rendering is cached by the values a template reads; different values must not share output."""
    assert render("{{ value }}", {"value": True}) == "True"
    assert render("{{ value }}", {"value": 1}) == "1"
    assert render("{{ value | join_words }}", {"value": ["a", "b"]}) == "a and b"
    assert render("{{ value | join_words }}", {"value": ["a", "c"]}) == "a and c"
    assert render("{{ context.channel }}", {"context": {"channel": "chat"}}) == "chat"
    assert render("{{ context.channel }}", {"context": {"channel": "phone"}}) == "phone"


def test_remembered_conditions_never_cross_values():
    assert evaluate("value in ['none', false]", {"value": "none"}) is True
    assert evaluate("value in ['none', false]", {"value": 0}) is True      # Jinja compares 0 == false
    assert evaluate("value in ['none', false]", {"value": "active"}) is False
    assert evaluate("context.stage == 'opening'", {"context": {"stage": "opening"}}) is True
    assert evaluate("context.stage == 'opening'", {"context": {"stage": "wrap_up"}}) is False


@pytest.mark.parametrize("value, said", [
    ("2027-01-31", "31 January 2027"), ("2026-10-01T09:30:00Z", "1 October 2026"),
    ("2027-02-30", "2027-02-30"), ("next week", "next week"), (3, "3"),
])
def test_dates_are_said_as_people_say_them(value, said):
    assert render("{{ value | date }}", {"value": value}) == said
    assert render("{% if value is date %}yes{% endif %}", {"value": value}) == ("yes" if said != str(value)
                                                                                        else "")


def test_figures_mark_thousands_and_leave_the_rest():
    assert [render("{{ v | figure }}", {"v": v}) for v in (3200, 42000.0, 2.5, "3200", True)] == \
        ["3,200", "42,000", "2.5", "3200", "True"]


def test_a_label_that_brings_its_own_article_is_not_given_a_second():
    from tact import suggest
    result = suggest({"datapoint": {"key": "rail.discount_card", "value": "none", "label": "a railcard",
                                    "category": "product_holding", "provenance": "account_record",
                                    "consent": ["service", "marketing"]},
                      "context": {"channel": "phone", "stage": "wrap_up", "issue_resolved": True,
                                  "receptiveness": "high"}})
    lines = [s["text"] for s in result["suggestions"]] + [s["text"] for v in result["alternatives"].values()
                                                          for s in v]
    assert lines and not any("a a " in line.lower() or "your a " in line.lower() for line in lines)


def test_a_phrase_with_a_preposition_takes_its_article_from_the_noun_before_it():
    assert indefinite("break from loan payments") == "a break from loan payments"
    assert indefinite("help with water bills") == "help with water bills"
    assert indefinite("terms of service") == "terms of service"


def test_a_phrase_that_brings_its_own_determiner_gets_no_second_one():
    assert indefinite("a hotel room") == "a hotel room"
    assert indefinite("An upgrade") == "An upgrade"
    assert indefinite("your usual seat") == "your usual seat"
    assert indefinite("the premium plan") == "the premium plan"
    assert indefinite("anytime return") == "an anytime return"


def test_a_line_speaks_of_the_person_the_customer_named_as_they_did():
    from tact.people import person_named
    from tact.render import render
    line = "Let's add {{ person('them') }}. What's {{ person('their') }} date of birth? {{ person('They') }} can drive."
    said = {"My daughter's just passed her test!": "Let's add her. What's her date of birth? She can drive.",
            "Can my husband go on it?": "Let's add him. What's his date of birth? He can drive.",
            "My son and my daughter both passed.": "Let's add them. What's their date of birth? They can drive.",
            "Can I add a driver?": "Let's add them. What's their date of birth? They can drive."}
    for words, expected in said.items():
        assert render(line, {"context": {"person": person_named((words,))}}) == expected
    # The newest turn that speaks of someone decides; earlier ones are history.
    assert person_named(("My wife usually drives.", "Actually it's for my son, he's 17.")) == "he"
