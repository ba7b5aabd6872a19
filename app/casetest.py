"""Running the test cases that phrasebook topics carry."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import RequestError


@dataclass
class Outcome:
    topic: str
    name: str
    where: str
    passed: bool
    problems: list[str] = field(default_factory=list)


def _texts(result: dict) -> list[str]:
    """Every line the staff member might say (the action is for them, not the customer)."""
    texts = [s["text"] for s in result["suggestions"]]
    texts += [s["text"] for group in result["alternatives"].values() for s in group]
    return texts


def build_request(topic, case) -> dict:
    """A suggest request from a case: the topic's first key and example value fill the gaps."""
    datapoint = {"provenance": "account_record", **case.request["datapoint"]}
    if "key" not in datapoint:
        datapoint["key"] = topic.keys[0] if topic.keys else f"example.{topic.id.replace('.', '_')}"
    if topic.generic and "category" not in datapoint:
        datapoint["category"] = topic.categories[0]
    if "value" not in datapoint:
        datapoint["value"] = topic.example.get("value", "example")
    context = {"channel": "phone", **case.request["context"]}
    return {"datapoint": datapoint, "context": context}


def run_case(engine, topic, case) -> Outcome:
    where = f"{topic.file}:{case.line}"
    problems: list[str] = []
    try:
        result = engine.suggest(build_request(topic, case))
    except RequestError as exc:
        return Outcome(topic.id, case.name, where, False, [f"bad request: {exc.message}"])
    expect = case.expect
    if "decision" in expect and result["decision"] != expect["decision"]:
        problems.append(f"decision: expected {expect['decision']}, got {result['decision']} "
                        f"({', '.join(r['rule'] for r in result['reasons'])})")
    if "topic" in expect and result["topic"] != expect["topic"]:
        problems.append(f"topic: expected {expect['topic']}, got {result['topic']}")
    if "level" in expect and result["receptiveness"]["level"] != expect["level"]:
        problems.append(f"receptiveness: expected {expect['level']}, got {result['receptiveness']['level']}")
    rules = [r["rule"] for r in result["reasons"]]
    for rule in _as_list(expect.get("rules")):
        if rule not in rules:
            problems.append(f"rules: expected {rule} among {', '.join(rules) or 'none'}")
    said = [s["text"] for s in result["suggestions"]]
    for text in _as_list(expect.get("says")):
        if not any(text.lower() in s.lower() for s in said):
            problems.append(f"says: expected a suggestion containing {text!r}; got {said}")
    for text in _as_list(expect.get("never_says")):
        bad = [s for s in _texts(result) if text.lower() in s.lower()]
        if bad:
            problems.append(f"never_says: {text!r} appears in {bad}")
    action = expect.get("action")
    if action is True and not result["action"]:
        problems.append("action: expected an action for staff; got none")
    elif action is False and result["action"]:
        problems.append(f"action: expected none; got {result['action']!r}")
    elif isinstance(action, str) and action.lower() not in (result["action"] or "").lower():
        problems.append(f"action: expected one containing {action!r}; got {result['action']!r}")
    if expect.get("no_suggestions") and result["suggestions"]:
        problems.append(f"no_suggestions: got {said}")
    if "moment" in expect and (result.get("guidance") or {}).get("moment") != expect["moment"]:
        problems.append(f"moment: expected {expect['moment']}, got {(result.get('guidance') or {}).get('moment')}")
    if "first" in expect and (not said or said[0] != expect["first"]):
        problems.append(f"first: expected the top line {expect['first']!r}; got {said[:1]}")
    return Outcome(topic.id, case.name, where, not problems, problems)


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def run_cases(engine) -> list[Outcome]:
    """Every case of every topic, in file order."""
    return [run_case(engine, topic, case) for topic in engine.book.topics.values() for case in topic.tests]
