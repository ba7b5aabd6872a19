"""Loading phrasebooks: strict, every problem located as file:line:col, never half-loaded."""
import textwrap

import pytest

from tact.errors import PhrasebookError
from tact.phrasebook import PhrasebookStore, collect, load

GOOD = textwrap.dedent("""\
    topics:
      - id: demo.gap
        keys: [demo.thing]
        category: product_holding
        purpose: marketing
        label: widget cover
        phrasings:
          low: ["Widget cover sorted, by the way?"]
          medium:
            - tone: neutral
              text: "Do you also have {{ label }}?"
          high:
            - tone: warm
              text: "Out of interest, how do you cover your widgets at the moment?"
        honest_answer: "We can see which products you hold with us."
    """)


def write(tmp_path, text, name="book.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def errors(tmp_path, text):
    path = write(tmp_path, text)
    _, problems = collect([path])
    return [p.format().replace(str(path), "book.yaml") for p in problems if p.severity == "error"]


def test_good_file_loads_and_indexes_by_key(tmp_path):
    book = load([write(tmp_path, GOOD)])
    assert [t.id for t in book.by_key["demo.thing"]] == ["demo.gap"]
    topic = book.topics["demo.gap"]
    assert [p.id for p in topic.phrasings["medium"]] == ["demo.gap/medium/1"]
    assert topic.phrasings["low"][0].tone == "brief"


def test_unknown_key_is_located_with_did_you_mean(tmp_path):
    found = errors(tmp_path, GOOD.replace("    label: widget cover", "    lable: widget cover"))
    assert found == ["book.yaml:6:5: error: unknown key 'lable'; did you mean 'label'?"]


def test_bad_enum_value_is_located(tmp_path):
    found = errors(tmp_path, GOOD.replace("purpose: marketing", "purpose: sales"))
    assert found == ["book.yaml:5:14: error: 'purpose' must be one of service, marketing; got 'sales'"]


def test_template_syntax_and_unknown_variable_are_reported(tmp_path):
    broken = GOOD.replace('"Do you also have {{ label }}?"', '"Do you also have {{ label }?"')
    assert any("book.yaml:11:17: error: template syntax" in e for e in errors(tmp_path, broken))
    unknown = GOOD.replace("{{ label }}", "{{ customer_name }}")
    found = errors(tmp_path, unknown)
    assert len(found) == 1 and "'customer_name', which the topic does not provide" in found[0]


def test_condition_that_does_not_compile_is_an_error(tmp_path):
    broken = GOOD.replace("    purpose: marketing\n", "    purpose: marketing\n    match: \"value in [\"\n")
    found = errors(tmp_path, broken)
    assert len(found) == 1 and found[0].startswith("book.yaml:6:12: error: condition does not compile")


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    broken = GOOD.replace("purpose: marketing", "purpose: sales").replace("label: widget", "lable: widget")
    broken = broken.replace("tone: warm", "tone: warm\n          colour: red")
    assert len(errors(tmp_path, broken)) == 3


def test_yaml_syntax_error_and_duplicate_key_are_located(tmp_path):
    assert errors(tmp_path, "topics:\n  - id: [unclosed\n")[0].startswith("book.yaml:3:1: error: YAML syntax")
    found = errors(tmp_path, GOOD.replace("    label: widget cover\n", "    label: widget cover\n    label: again\n"))
    assert found == ["book.yaml:7:5: error: duplicate key 'label' (first at line 6)"]


def test_alias_bomb_is_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}]\n"
    found = errors(tmp_path, bomb)
    assert found and "document too large" in found[0]


def test_broken_file_never_half_loads(tmp_path):
    good = write(tmp_path, GOOD, "a.yaml")
    bad = write(tmp_path, GOOD.replace("demo.gap", "demo.other").replace("purpose: marketing", "purpose: x"),
                "b.yaml")
    with pytest.raises(PhrasebookError) as info:
        load([good, bad])
    assert "b.yaml:5:14" in str(info.value)


def test_duplicate_topic_ids_across_files(tmp_path):
    a = write(tmp_path, GOOD, "a.yaml")
    b = write(tmp_path, GOOD, "b.yaml")
    _, problems = collect([a, b])
    assert any("topic id 'demo.gap' already defined at" in p.message for p in problems)


def test_store_never_changes_when_the_files_do(tmp_path):
    """The set in use changes only by a validated reload in `tact serve` (tests/test_serve.py), never in place."""
    path = write(tmp_path, GOOD)
    store = PhrasebookStore([path])
    book = store.book
    path.write_text(GOOD.replace("demo.gap", "demo.renamed"))
    assert store.book is book and list(store.book.topics) == ["demo.gap"]
    assert not hasattr(store, "reload")


def test_version_is_a_content_hash(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    write(one, GOOD), write(two, GOOD)
    first, second = load([one]).version, load([two]).version
    assert first == second and len(first) == 16
    write(two, GOOD.replace("demo.gap", "demo.renamed"))
    assert load([two]).version != first


def test_missing_tone_and_missing_file(tmp_path):
    no_high = GOOD.split("      high:")[0] + '    honest_answer: "x"\n'
    found = errors(tmp_path, no_high)
    assert any("missing phrasings for 'high' receptiveness" in e for e in found)
    _, problems = collect([tmp_path / "nope.yaml"])
    assert problems[0].message == "no such file or folder"


def test_action_not_in_takes_channels_only(tmp_path):
    from tact.phrasebook import collect
    path = tmp_path / "book.yaml"
    path.write_text("topics:\n  - id: a.seat\n    keys: [a.seat]\n    category: preference\n    purpose: service\n"
                    "    decision: apply_silently\n    action: Pre-select it.\n    action_not_in: [cabn]\n")
    _, problems = collect([str(path)])
    assert [p.format() for p in problems if p.severity == "error"] == [
        f"{path}:8:21: error: unknown action_not_in 'cabn'; did you mean 'cabin'?"]


def test_care_needs_are_validated_and_located(tmp_path):
    good = GOOD + textwrap.dedent("""
        care_needs:
          - id: meal
            need: [allerg*]
            channels: [cabin]
            action: "Tell the crew quietly."
        """)
    assert [n.id for n in load([write(tmp_path, good)]).care_needs] == ["meal"]
    found = errors(tmp_path, GOOD + textwrap.dedent("""
        care_needs:
          - id: meal
            need: [allerg*]
            chanels: [cabin]
            action: "{{ secret }}"
          - id: format
            need: [braille]
            channels: [plane]
            action: "Send it in braille."
          - id: day
            need: [no saturday]
            action: "Book another day."
        """))
    text = "\n".join(found)
    assert "unknown key 'chanels'; did you mean 'channels'?" in text
    assert "'secret'" in text
    assert "unknown channel 'plane'" in text
    assert "care need 'day' must say when staff can act on it" in text
    assert all(e.startswith("book.yaml:") for e in found)
