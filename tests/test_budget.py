"""Every render has one budget of time, work and size: hostile templates fail fast, small and cleanly.

Each class of attack (memory by products and joins, nested loops, huge numbers,
`%` and format widths, recursion, long output) must fail as a TemplateError in
bounded time and memory, be a lint error at its file:line:col, and cost the API
only that one line.
"""
import json
import time
import tracemalloc

import pytest

from tact import render as render_module
from tact.errors import TemplateError
from tact.lint import lint_paths
from tact.render import evaluate, render

BIG = "x" * 3000
HOSTILE = {
    # memory: products, joins and literals that multiply
    "string-product": "{{ ('a'*64*64*64*64*64)|length }}",
    "list-product": "{{ ([1]*64*64*64*64)|length }}",
    "concat-chain": "{% set a = 'x'*5000 %}{% set b = a ~ a ~ a %}{{ b|length }}",
    "list-sum": "{% set a = [1]*3000 %}{{ (a + a + a + a)|length }}",
    "nested-literals": "{% set a = ['x'*900] %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}{% set c = [b,b,b,b,b,b,b,b,b,b] %}"
                       "{% set d = [c,c,c,c,c,c,c,c,c,c] %}{{ d|string|length }}",
    "dict-of-tuples": "{% set a = ('x'*900,) %}{% set b = (a,a,a,a,a,a,a,a,a,a) %}"
                      "{% set c = {'k': b, 'j': b, 'l': b, 'm': b, 'n': b, 'o': b, 'p': b} %}{{ c|string|length }}",
    "concat-in-loop": "{% set s = 'x'*5000 %}{% for i in range(100) %}{% set t = s ~ s %}{{ t ~ i }}{% endfor %}",
    "replace-blowup": "{{ ('x'*5000)|replace('', 'y'*5000) }}",
    "join-blowup": "{{ range(100)|join('x'*5000) }}",
    "value-product": "{{ (value * 100000)|length }}",
    # work: loops inside loops, over ranges or long strings
    "nested-ranges": "{% for a in range(100) %}{% for b in range(100) %}{% for c in range(100) %}"
                     "{% for d in range(100) %}{% for e in range(100) %}{% endfor %}{% endfor %}{% endfor %}"
                     "{% endfor %}{% endfor %}",
    "nested-strings": "{% for c in 'x'*9000 %}{% for d in 'x'*9000 %}{{ '' }}{% endfor %}{% endfor %}",
    "slow-loop-body": "{% set l = (range(100)|list) * 10 %}{% for i in range(100) %}{% for j in range(40) %}"
                      "{{ (l|sort|unique|list|length) and '' }}{% endfor %}{% endfor %}",
    # numbers
    "power-tower": "{{ ((((10**64)**64)**64)**64) }}",
    "huge-power": "{{ 2 ** 10000000 }}",
    "product-of-powers": "{{ (10**300) * (10**300) * (10**300) * (10**300) }}",
    "round-digits": "{{ 5|round(-999999999, 'ceil') }}",
    # % formatting and str.format
    "percent-precision": "{{ '%.999999999f' % 1.0 }}",
    "percent-width": "{{ '%999999999s' % 'x' }}",
    "percent-flags-width": "{{ '%-0999999999d' % 1 }}",
    "percent-star": "{{ '%*s' % (999999999, 'x') }}",
    "percent-nested-key": "{{ '%((a))999999999s' % {'(a)': 1} }}",
    "str-format": "{{ '{:>999999999}'.format(1) }}",
    "str-format-map": "{{ '{x:>999999999}'.format_map({'x': 1}) }}",
    # recursion
    "macro-recursion": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "macro-fanout": "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    # output
    "long-output": "{% for i in range(100) %}{{ 'x'*1000 }}{% endfor %}",
    "macro-text": "{% macro f() %}{% for i in range(100) %}" + BIG + "{% endfor %}{% endmacro %}"
                  "{% for i in range(100) %}{{ f()|length }}{% endfor %}",
    "long-word": "{{ ('word '*2000)|plural }}",
}
# Time is this thread's CPU time: the machine is shared, and wall-clock time measures the neighbours.
cpu = time.thread_time
VALUES = {"value": "v", "label": "spare key", "key": "demo.key", "context": {"channel": "phone"}}


@pytest.mark.parametrize("template", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_template_fails_as_template_error_fast_and_small(template):
    tracemalloc.start()
    started = cpu()
    try:
        with pytest.raises(TemplateError):
            render(template, VALUES)
        elapsed = cpu() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 20_000_000


@pytest.mark.parametrize("condition", [
    "((range(100)|list)*1000)|length > 1", "'%.999999999f' % 1.0", "2**99999999 > 1", "value * 100000",
    "'{:>999999999}'.format(1)",
])
def test_hostile_condition_fails_as_template_error(condition):
    started = cpu()
    with pytest.raises(TemplateError):
        evaluate(condition, VALUES)
    assert cpu() - started < 0.5


@pytest.mark.parametrize("template, expected", [
    ("{{ '%.2f' % 3.14159 }} and {{ '%s or %s' % ('tea', 'coffee') }}", "3.14 and tea or coffee"),
    ("{{ '%(n)03d' % {'n': 7} }}, 100%% sure", "007, 100%% sure"),
    ("{{ '-' * 20 }}", "-" * 20),
    ("{% for i in range(3) %}{% for j in range(3) %}{{ i * j }}{% endfor %}{% endfor %}", "000012024"),
    ("{{ (2 ** 100) | string | length }}", "31"),
    ("{{ ['tea', 'coffee'] | join(', ') }} {{ label | replace('spare', 'lost') }}", "tea, coffee lost key"),
    ("{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(1) }}{{ m(2) }}", "<1><2>"),
    ("{{ 2.5 | round(1, 'floor') }} {{ label | plural }}", "2.5 spare keys"),
])
def test_everyday_templates_stay_within_budget(template, expected):
    assert render(template, VALUES) == expected


def test_budget_time_limit_names_the_limit():
    with pytest.raises(TemplateError) as info:
        render(HOSTILE["slow-loop-body"], VALUES)
    assert "budget" in info.value.message


def test_any_exception_inside_a_render_becomes_template_error(monkeypatch):
    def explode(value):
        raise MemoryError()
    monkeypatch.setitem(render_module.ENV.filters, "upper", explode)
    with pytest.raises(TemplateError):
        render("{{ label | upper }} again", VALUES)
    monkeypatch.setitem(render_module.ENV.filters, "upper", lambda value: (_ for _ in ()).throw(RecursionError()))
    with pytest.raises(TemplateError):
        render("{{ label | upper }} once more", VALUES)


# ---------------------------------------------------------------- lint and the API

GOOD_LINE = "Do you have a spare key for the car?"


def hostile_book(folder, template: str, condition: str | None = None):
    """A phrasebook whose medium level holds one good phrasing and one hostile one; returns (file, line, col)."""
    rule = (f"    rules:\n      - id: hostile-rule\n        when: {json.dumps(condition)}\n"
            "        decision: defer\n        message: Wait.\n") if condition else ""
    text = ("topics:\n"
            "  - id: demo.hostile\n"
            "    keys: [demo.key]\n"
            "    category: product_holding\n"
            "    purpose: service\n"
            "    decision: ask\n"
            "    honest_answer: \"We can see which products you hold with us.\"\n"
            + rule +
            "    phrasings:\n"
            "      low: [\"Anything else I can help with?\"]\n"
            "      medium:\n"
            f"        - {json.dumps(GOOD_LINE)}\n"
            f"        - {json.dumps(template)}\n"
            "      high: [\"Out of interest, is there a spare key for the car at home?\"]\n")
    path = folder / "hostile.yaml"
    path.write_text(text)
    lines = text.splitlines()
    line = next(i for i, l in enumerate(lines, 1) if l.startswith("        - ") and json.dumps(template) in l)
    return path, line, lines[line - 1].index('"') + 1


@pytest.mark.parametrize("template", HOSTILE.values(), ids=HOSTILE.keys())
def test_lint_flags_hostile_template_at_its_place_in_bounded_time(tmp_path, template):
    path, line, col = hostile_book(tmp_path, template)
    started = cpu()
    problems = lint_paths([str(tmp_path)])
    assert cpu() - started < 1.0
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.line, p.col) for p in errors] == [(line, col)], [p.format() for p in problems]
    assert errors[0].format().startswith(f"{errors[0].file}:{line}:{col}: error: demo.hostile/medium/2: ")


def test_lint_flags_hostile_rule_condition(tmp_path):
    hostile_book(tmp_path, "Is the spare key at home?", "'%.999999999f' % 1.0")
    started = cpu()
    errors = [p for p in lint_paths([str(tmp_path)]) if p.severity == "error"]
    assert cpu() - started < 1.0
    assert [p.rule for p in errors] == ["condition-render"] and "hostile-rule" in errors[0].message
    assert errors[0].line == 9   # the rule's "- id: hostile-rule" line


@pytest.mark.parametrize("source", ["{{ " + "(" * 300 + "1" + ")" * 300 + " }}", "{{ label }}" + " " * 5000])
def test_unreadable_or_oversized_template_is_a_load_error_not_a_traceback(tmp_path, source):
    hostile_book(tmp_path, source)
    errors = [p for p in lint_paths([str(tmp_path)]) if p.severity == "error"]
    assert len(errors) == 1 and errors[0].rule in ("template-syntax", "template-size")


@pytest.mark.parametrize("template", HOSTILE.values(), ids=HOSTILE.keys())
def test_api_drops_the_hostile_line_and_answers_200(tmp_path, template):
    from tact.web import create_app
    hostile_book(tmp_path, template)
    client = create_app({"TESTING": True, "PHRASEBOOKS": str(tmp_path)}).test_client()
    request = {"datapoint": {"key": "demo.key", "value": "v", "provenance": "account_record"},
               "context": {"channel": "phone", "stage": "wrap_up", "issue_resolved": True,
                           "receptiveness": "medium"}}
    started = cpu()
    r = client.post("/api/v1/suggest", json=request)
    assert cpu() - started < 1.0
    assert r.status_code == 200
    assert [s["text"] for s in r.get_json()["suggestions"]] == [GOOD_LINE]
