"""Lint: every phrasebook problem, including what only shows once a template is rendered.

Each phrasing is rendered with its topic's example values and held to what
the engine promises: no revealing frame, a question where it asks, short when
spoken, tones that differ, no sensitive value or label, no claim that work is
done before it is (the rules in lint/), and a line for every channel kind a
topic is used in and every moment a data point can meet.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Iterable

from . import lintrules, render
from .errors import Problem, TemplateError
from .model import LEVELS, SENSITIVE_CATEGORIES, STAGES, Context
from .moment import CALM, KIND_GROUPS, KINDS, fits
from .phrasebook import Phrasebook, Phrasing, Topic, collect, default_dir
from .values import naming_pattern, spoken_forms

MAX_SPOKEN_WORDS = 25
EXAMPLE_CONTEXT = {"channel": "phone", "industry": None, "reason": "general_enquiry", "stage": "wrap_up",
                   "issue_resolved": True, "receptiveness": "medium", "do_not_market": False,
                   "relationship": "returning", "locale": "en", "spoken": True, "bystanders": False}

# What a topic rule reads of the moment (app/policy.py moment_facts), as a calm customer who raised nothing.
EXAMPLE_MOMENT = {"raised": False, "said": False, "said_value": False, "asked": False, "problem": False,
                  "bears": False, "answers": False, "requested": False, "served": False, "meaning": "held",
                  "state": "calm", "resolved": True, "opened": "other", "sent": False, "farewell": False}


def example_vars(topic: Topic, level: str = "medium", channel_spoken: bool = True) -> dict:
    """The values a topic's templates are previewed and linted with."""
    example = dict(topic.example)
    key = example.pop("key", topic.keys[0] if topic.keys else f"example.{(topic.categories or ('item',))[0]}")
    label = example.pop("label", topic.label or key.split(".")[-1].replace("_", " "))
    context = {**EXAMPLE_CONTEXT, **example.pop("context", {}), "spoken": channel_spoken,
               "receptiveness": level}
    return {"key": key, "value": example.pop("value", "example"), "label": label,
            "category": topic.category or (topic.categories[0] if topic.categories else None),
            "provenance": example.pop("provenance", "account_record"), "context": context,
            "vars": dict(topic.vars), "receptiveness": level, "consent": None, "moment": dict(EXAMPLE_MOMENT),
            **topic.vars, **example}


def _problem(topic: Topic, phrasing: Phrasing, message: str, rule: str, severity: str = "error",
             lines: dict | None = None) -> Problem:
    source = (lines or {}).get(topic.file, [])
    src = source[phrasing.line - 1] if 0 < phrasing.line <= len(source) else None
    return Problem(topic.file, phrasing.line, phrasing.col or 1, severity, f"{phrasing.id}: {message}", rule, src)


def _variants(phrasing: Phrasing) -> list[tuple[str, bool]]:
    """The sources a line is said from: spoken unless it fits only writing, written unless only speech."""
    kinds = dict(phrasing.fits).get("channel", KINDS)
    out = []
    if set(kinds) & set(KIND_GROUPS["spoken"]):
        out.append((phrasing.spoken or phrasing.text, True))
    if "written" in kinds and (phrasing.written or not out or phrasing.spoken):
        out.append((phrasing.written or phrasing.text, False))
    return out


def _claims(topic, phrasing: Phrasing, text: str, kind: str, claim_rules, lines) -> list[Problem]:
    return [_problem(topic, phrasing, f"{rule.message} ({text!r})", rule.id, rule.severity, lines)
            for rule in claim_rules if kind in rule.applies_to and rule.flags(text)]


def lint_topic(topic: Topic, checker, lines: dict | None = None, claim_rules=()) -> list[Problem]:
    problems: list[Problem] = []
    sensitive = (topic.category in SENSITIVE_CATEGORIES) or any(c in SENSITIVE_CATEGORIES for c in topic.categories)
    rendered: dict[tuple, list] = {}
    groups = (("phrasings", topic.phrasings), ("bystander", topic.bystander),
              ("confirm", {"medium": topic.confirm} if topic.confirm else {}))
    for kind, group in groups:
        for level in LEVELS:
            for phrasing in group.get(level, ()):
                for source, spoken in _variants(phrasing):
                    variables = example_vars(topic, level, spoken)
                    try:
                        text = render.render(source, variables)
                    except TemplateError as exc:
                        problems.append(_problem(topic, phrasing, exc.message, "template-render", lines=lines))
                        continue
                    if kind == "phrasings" and spoken:
                        rendered.setdefault((phrasing.fits, level), []).append((text, phrasing))
                    problems.extend(_judge(topic, phrasing, text, spoken, sensitive, variables, checker, lines,
                                           asks=kind != "confirm", said=_asked_about(phrasing, variables)))
                    problems.extend(_claims(topic, phrasing, text, kind, claim_rules, lines))
    problems.extend(_tones_differ(topic, rendered, lines))
    problems.extend(_coverage(topic, lines))
    example = example_vars(topic)
    naming = naming_pattern(spoken_forms(example["value"], example["label"], number_words_too=True)) \
        if sensitive else None
    for extra, name in ((topic.action, "action"), (topic.quiet_action, "quiet_action"),
                        (topic.honest_answer, "honest_answer")):
        if extra:
            try:
                text = render.render(extra, example)
            except TemplateError as exc:
                problems.append(Problem(topic.file, topic.line, 1, "error", f"{topic.id}: {name}: {exc.message}",
                                        "template-render"))
                continue
            if naming is not None and name in ("action", "quiet_action") and naming.search(text):
                problems.append(Problem(topic.file, topic.line, 1, "error", f"{topic.id}: {name} names the "
                                        "sensitive data; staff act on it discreetly, without it", "sensitive-data"))
    conditions = [("match", topic.match, topic.line)] + [(f"rule {r.id}", r.when, r.line) for r in topic.rules]
    for name, source, line in conditions:
        if source:
            try:
                render.evaluate(source, example)
            except TemplateError as exc:
                problems.append(Problem(topic.file, line, 1, "error", f"{topic.id}: {name}: {exc.message}",
                                        "condition-render"))
    for line in topic.avoid:
        if not checker.is_revealing(line, None, ()):
            problems.append(Problem(topic.file, topic.line, 1, "warning",
                                    f"{topic.id}: avoid example {line!r} is not flagged by the check; "
                                    "the check may be missing this kind of wording", "avoid-unflagged"))
    return problems


def _asked_about(phrasing: Phrasing, variables: dict) -> Context | None:
    """For a line that answers the customer's question (`fits: {asked: true}`, `{answers: true}`, or `{bears: true}`:
    what they got in touch about), that question: the answer is judged as an answer, as the engine judges it."""
    fits = dict(phrasing.fits)
    if (True,) not in (fits.get("asked"), fits.get("answers"), fits.get("bears")):
        return None
    return Context(channel="phone", customer_utterances=(f"Can you tell me about my {variables.get('label')}?",))


def _tones_differ(owner, rendered: dict, lines) -> list[Problem]:
    """Lines for the same moment (same conditions) that read word for word alike across tones."""
    out = []
    for (conditions, high), found in rendered.items():
        for low in LEVELS[:LEVELS.index(high)]:
            same = {text for text, _ in rendered.get((conditions, low), ())} & {text for text, _ in found}
            if same:
                phrasing = next(p for text, p in found if text in same)
                out.append(_problem(owner, phrasing, f"'{high}' repeats a '{low}' phrasing word for word; "
                                    "tones should read differently", "tones-differ", lines=lines))
                continue
            near = next((p for text, p in found for other, _ in rendered.get((conditions, low), ())
                         if _near_same(other, text)), None)
            if near is not None:
                out.append(_problem(owner, near, f"'{high}' is a '{low}' phrasing with a few words added or changed; "
                                    "make the tones differ (low brief and easy to decline, medium plain, high warm "
                                    "with the why)", "tones-near-identical", severity="warning", lines=lines))
    return out


_LINE_WORDS = re.compile(r"[a-z0-9']+")


def _near_same(lower: str, higher: str) -> bool:
    """Whether two tones' lines are one sentence with a few words put in front, behind or swapped ('Good news,
    ...', '..., happy to help'): what reads as the same line to the customer."""
    a, b = _LINE_WORDS.findall(lower.lower()), _LINE_WORDS.findall(higher.lower())
    if not a or not b or a == b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    n = len(short)
    if len(short) >= 4 and (long_[-n:] == short or long_[:n] == short) and len(long_) - n <= 4:
        return True
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85


def _coverage(topic: Topic, lines) -> list[Problem]:
    """A warning for each tone with no line for a channel kind the topic is used in."""
    out = []
    for level in LEVELS:
        found = topic.phrasings.get(level, ())
        if not found:
            continue
        covered = {k for p in found for k in dict(p.fits).get("channel", KINDS)}
        missing = [k for k in topic.channels if k not in covered]
        if missing:
            out.append(_problem(topic, found[0], f"no '{level}' line for {', '.join(missing)}, where the topic is "
                                "used; add one, or limit the topic's 'channels'", "channel-coverage",
                                severity="warning", lines=lines))
    return out


def _judge(topic, phrasing: Phrasing, text: str, spoken: bool, sensitive: bool, variables: dict,
           checker, lines, asks: bool = True, said: Context | None = None) -> list[Problem]:
    found = []
    if not text:
        return [_problem(topic, phrasing, "renders to nothing with the example values", "empty", lines=lines)]
    result = checker.check(text, said, getattr(topic, "disable_checks", ()))
    ruled = [f for f in result.findings if f["severity"] == "error"]
    if ruled:
        what = "; ".join(f"{f['match']!r} ({f['rule']})" for f in ruled)
        found.append(_problem(topic, phrasing, f"reveals data: {what}", "revealing", lines=lines))
    elif any(f["rule"] == "learned" for f in result.findings):
        # The learned detector is a second opinion with no rule behind it: worth a look, not a refusal.
        what = "; ".join(repr(f["match"]) for f in result.findings if f["rule"] == "learned")
        found.append(_problem(topic, phrasing, f"may reveal data (the learned detector weighs {what})", "learned",
                              severity="warning", lines=lines))
    words = len(re.findall(r"[\w'’-]+", text))
    if spoken and words > MAX_SPOKEN_WORDS:
        found.append(_problem(topic, phrasing, f"{words} words when spoken; keep it to {MAX_SPOKEN_WORDS} or fewer",
                              "sound-like-a-person", lines=lines))
    if asks and getattr(topic, "decision", None) == "ask" and phrasing.level != "low" and "?" not in text:
        found.append(_problem(topic, phrasing, "the topic asks, but this phrasing is not a question",
                              "ask-dont-tell", lines=lines))
    if text.count("?") > 1:
        found.append(_problem(topic, phrasing, "more than one question; ask one at a time",
                              "one-question", severity="warning", lines=lines))
    naming = naming_pattern(spoken_forms(variables.get("value"), variables.get("label"), number_words_too=True)) \
        if sensitive else None
    hit = naming.search(text) if naming is not None else None
    if hit:
        found.append(_problem(topic, phrasing, f"names the sensitive data ({hit.group()!r})", "sensitive-data",
                              lines=lines))
    return found


def _lint_moments(book: Phrasebook, checker, lines: dict, claim_rules) -> list[Problem]:
    """Moment lines judged like any other, and a check that every moment a withheld data point can meet has one."""
    problems: list[Problem] = []
    states = {state.id: state for state in book.states}
    for moment in book.moments:
        rendered: dict[tuple, list] = {}
        # A moment for a state read from the customer's words (bereaved) is only met once they said so.
        words = [w.rstrip("*") for name in dict(moment.fits).get("state", ()) for w in getattr(states.get(name), "words", ())]
        said = Context(channel="phone", customer_utterances=(" ".join(words),)) if words else None
        for level in LEVELS:
            for phrasing in moment.phrasings.get(level, ()):
                for source, spoken in _variants(phrasing):
                    variables = {**example_vars(_EXAMPLE_TOPIC, level, spoken), "value": None, "label": None}
                    try:
                        text = render.render(source, variables)
                    except TemplateError as exc:
                        problems.append(_problem(moment, phrasing, exc.message, "template-render", lines=lines))
                        continue
                    if spoken:
                        rendered.setdefault((phrasing.fits, level), []).append((text, phrasing))
                    problems.extend(_judge(moment, phrasing, text, spoken, False, variables, checker, lines,
                                           said=said))
                    problems.extend(_claims(moment, phrasing, text, "moments", claim_rules, lines))
        problems.extend(_tones_differ(moment, rendered, lines))
    if book.moments or book.topics:
        problems.extend(_moment_coverage(book))
    return problems


# A record a message we send first could be about: every field `parts` reads.
NOTICE_EXAMPLE = {"key": "account.notice", "label": "season ticket renewal",
                  "value": {"due": "2027-03-14", "new_time": "15:20", "was": "14:05", "amount": 10.5,
                            "name": "Biscuit", "to": "sea-view room", "branch": "High Street"}}


def _lint_notices(book: Phrasebook, checker, lines: dict, claim_rules) -> list[Problem]:
    """Lines of messages we send first, rendered with a full record and judged like any written line."""
    problems: list[Problem] = []
    for notice in book.notices:
        rendered: dict[tuple, list] = {}
        for level in LEVELS:
            for phrasing in notice.phrasings.get(level, ()):
                variables = {**example_vars(_EXAMPLE_TOPIC, level, False), **NOTICE_EXAMPLE}
                for source, spoken in _variants(phrasing):
                    try:
                        text = render.render(source, variables)
                    except TemplateError as exc:
                        problems.append(_problem(notice, phrasing, exc.message, "template-render", lines=lines))
                        continue
                    rendered.setdefault((phrasing.fits, level), []).append((text, phrasing))
                    problems.extend(_judge(notice, phrasing, text, False, False, variables, checker, lines))
                    problems.extend(_claims(notice, phrasing, text, "phrasings", claim_rules, lines))
        problems.extend(_tones_differ(notice, rendered, lines))
    return problems


_EXAMPLE_TOPIC = Topic(id="moment", file="", line=0, purpose="service", decision="offer",
                       categories=("operational",))


class _Facts:
    """One combination of conversation facts, for checking that some moment fits each."""

    def __init__(self, **facts):
        self.facts = facts
        self.known = {}     # what `fits` may read without asking `fact` (a Moment's plain facts): nothing here

    def fact(self, name):
        return self.facts.get(name)

    def hears(self, words) -> bool:
        return False        # no customer words here


def _moment_coverage(book: Phrasebook) -> list[Problem]:
    states = [CALM] + [s.id for s in book.states]
    gaps = []
    for stage in (None,) + STAGES:
        for resolved in (False, True):
            for state in states:
                for kind in KINDS:
                    facts = _Facts(channel=kind, stage=stage, resolved=resolved, state=state)
                    chosen = next((m for m in book.moments if fits(m.fits, facts)), None)
                    if chosen is None:
                        gaps.append(f"{kind}, stage {stage or 'unknown'}, {'resolved' if resolved else 'open'}, "
                                    f"{state}")
                    elif not chosen.say_nothing and any(
                            not any(fits(p.fits, facts) for p in chosen.phrasings.get(level, ()))
                            for level in LEVELS):
                        gaps.append(f"{kind} in moment {chosen.id}")
    if not gaps:
        return []
    where = book.moments[0] if book.moments else None
    return [Problem(where.file if where else (book.files[0] if book.files else "phrasebooks"),
                    where.line if where else 1, 1, "warning",
                    f"no moment line for {len(gaps)} moments a withheld data point can meet, e.g. "
                    f"{'; '.join(gaps[:3])}: the agent is told to say nothing there", "moment-coverage")]


def lint_book(book: Phrasebook, checker, claim_rules=()) -> list[Problem]:
    lines: dict[str, list[str]] = {}
    for file in book.files:
        try:
            with open(file, encoding="utf-8") as handle:
                lines[file] = handle.read().splitlines()
        except (OSError, UnicodeDecodeError):
            lines[file] = []
    problems = []
    for topic in book.topics.values():
        problems.extend(lint_topic(topic, checker, lines, claim_rules))
    problems.extend(_lint_moments(book, checker, lines, claim_rules))
    problems.extend(_lint_notices(book, checker, lines, claim_rules))
    return problems


def lint_checks(paths: Iterable[str] | None = None) -> tuple[list[Problem], object]:
    """Problems in the check-rule files, including examples that do not behave, and the checker they make."""
    from .check import Checker, collect_rules
    from .check.rules import ANSWER_EXAMPLE
    from .check.learned import default_model
    rules, problems = collect_rules(paths)
    checker = Checker(rules, default_model())
    for rule in rules:
        for want, texts in ((True, rule.examples.get("flag", ())), (False, rule.examples.get("pass", ()))):
            for text in texts:
                if rule.kind == "answer":       # 'what the customer said => what staff said': flag means revealing
                    said, _, line = text.partition(ANSWER_EXAMPLE)
                    found = checker.check(line, Context(channel="phone", customer_utterances=(said,))).revealing
                else:
                    found = any(h.rule == rule.id for h in checker.hits(text))
                if found != want:
                    what = "should flag but passes" if want else "should pass but is flagged"
                    problems.append(Problem(rule.file, rule.line, 1, "error",
                                            f"rule {rule.id}: example {what}: {text!r}", "check-example"))
    return problems, checker


def lint_set(paths: Iterable[str] | None = None) -> tuple[Phrasebook, list[Problem]]:
    """The phrasebooks at paths (the bundled set by default) as read, and every problem in them and their check rules.

    A folder's `checks/` sub-folder holds its check rules; without one, the bundled rules judge the phrasings.
    """
    folders = [Path(p) for p in paths] if paths else [default_dir()]
    check_dirs = [str(f / "checks") for f in folders if (f / "checks").is_dir()]
    book, problems = collect(paths)
    problems = list(problems)
    if check_dirs:
        found, checker = lint_checks(check_dirs)
        problems += found
    else:
        from .check import default_checker
        checker = default_checker()
    lint_dirs = [f / "lint" for f in folders if (f / "lint").is_dir()]
    claim_rules, found = lintrules.collect(lint_dirs or None)
    problems += found
    problems += lint_book(book, checker, claim_rules)
    return book, sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))


def lint_paths(paths: Iterable[str] | None = None) -> list[Problem]:
    """Every problem in the phrasebooks at paths and their check rules, by place."""
    return lint_set(paths)[1]
