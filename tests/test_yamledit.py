"""Round-trip topic edits: the edited topic changes, every other byte of the file stays."""
import difflib

import pytest

from tact.phrasebook import parse_file
from tact.yamledit import EditError, add_topic, remove_topic, replace_topic, topics

SOURCE = '''# Hotel lines, kept by the guest-experience team.
description: >
  A test file.
topics:
  # The usual order: keep it a question.
  - id: hotel.usual
    title: Usual order
    keys: [guest.usual_order]
    category: preference
    purpose: service
    decision: ask
    phrasings:
      low: ["Ready to order?"]   # short on purpose
      medium:
        - "Would you like the {{ value }} again?"
      high:
        - tone: warm
          text: "Lovely to see you! The {{ value }} again?"

  - id: hotel.room   # keep this one
    title: Room
    keys: [room.preference]
    category: preference
    purpose: service
    decision: apply_silently
    action: "Give a quiet room."
'''


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def test_unchanged_topic_round_trips_byte_for_byte():
    topic = topics(SOURCE, "hotel.yaml")[0]
    assert replace_topic(SOURCE, "hotel.yaml", "hotel.usual", topic) == SOURCE


def test_editing_one_line_changes_only_that_line_and_keeps_comments():
    topic = topics(SOURCE, "hotel.yaml")[0]
    topic["phrasings"]["medium"][0] = "Same again, the {{ value }}?"
    after = replace_topic(SOURCE, "hotel.yaml", "hotel.usual", topic)
    assert changed_lines(SOURCE, after) == ['-         - "Would you like the {{ value }} again?"',
                                            '+         - "Same again, the {{ value }}?"']
    assert "# short on purpose" in after and "# keep this one" in after
    parsed, problems = parse_file(after, "hotel.yaml")
    assert not [p for p in problems if p.severity == "error"]
    assert parsed["topics"][0].phrasings["medium"][0].text == "Same again, the {{ value }}?"


def test_add_and_remove_topics():
    new = {"id": "hotel.copy", "title": "Copy", "keys": ["room.view"], "category": "preference",
           "purpose": "service", "decision": "apply_silently", "action": "Give a room with a view."}
    added = add_topic(SOURCE, "hotel.yaml", new)
    assert [t["id"] for t in topics(added, "hotel.yaml")] == ["hotel.usual", "hotel.room", "hotel.copy"]
    assert remove_topic(added, "hotel.yaml", "hotel.copy").startswith("# Hotel lines")
    with pytest.raises(EditError, match="already exists"):
        add_topic(SOURCE, "hotel.yaml", {**new, "id": "hotel.room"})
    with pytest.raises(EditError, match="no topic"):
        remove_topic(SOURCE, "hotel.yaml", "hotel.none")


def test_broken_file_is_reported_with_its_place():
    with pytest.raises(EditError, match=r"hotel.yaml:3:\d+"):
        topics("topics:\n  - id: a\n   bad: [\n", "hotel.yaml")


WRAPPED = '''topics:
  - id: shop.one
    title: One
    keys: [shop.one]
    serves: [coat, jacket, scarf,
             gloves, hat]
    decision: ask
  - id: shop.two
    title: Two
    keys: [shop.two, shop.three,
           shop.four]
    decision: ask
words: [big, small,
        tall]
'''


def test_lists_wrapped_over_lines_stay_wrapped_wherever_an_edit_did_not_reach():
    one, two = topics(WRAPPED, "shop.yaml")
    after = replace_topic(WRAPPED, "shop.yaml", "shop.one", {**one, "title": "First"})
    assert changed_lines(WRAPPED, after) == ["-     title: One", "+     title: First"]
    after = replace_topic(WRAPPED, "shop.yaml", "shop.two", {**two, "decision": "offer"})
    assert changed_lines(WRAPPED, after) == ["-     decision: ask", "+     decision: offer"]
    after = add_topic(WRAPPED, "shop.yaml", {"id": "shop.five", "title": "Five", "keys": ["shop.five"]})
    assert all(line.startswith("+") for line in changed_lines(WRAPPED, after))
    after = remove_topic(WRAPPED, "shop.yaml", "shop.one")
    assert all(line.startswith("-") for line in changed_lines(WRAPPED, after))
    assert [t["id"] for t in topics(after, "shop.yaml")] == ["shop.two"]


def test_an_edited_list_is_written_afresh_and_the_file_still_reads_the_same():
    one, _ = topics(WRAPPED, "shop.yaml")
    after = replace_topic(WRAPPED, "shop.yaml", "shop.one", {**one, "serves": ["coat", "boots"]})
    assert topics(after, "shop.yaml")[0]["serves"] == ["coat", "boots"]
    assert "tall]" in after and "shop.four]" in after
