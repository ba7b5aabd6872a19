"""Revealing-phrase detection and the question-led rewrite.

The rules are data (phrasebooks/checks/*.yaml), in the manner of Vale styles:
`phrase` rules are regular expressions for source frames, inferences and
tracking; the `held-data` rule reads sentence structure (a clause that starts
with you/your, is not a question, and carries a habit, holding or history
signal); the `sensitive` rule finds sensitive terms presumed of the customer.

Detection is regex-first and cached per text, because the engine guards every
phrasing with it. NLTK (tokeniser, Snowball stemmer) and lemminflect load only
when needed: NLTK to compare a finding with what the customer said, lemminflect
to turn a statement into a question (bought -> Did you buy ...?).
"""
from __future__ import annotations

import difflib
import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .errors import PhrasebookError, Problem
from .yamlsource import YamlProblem, read_yaml

CHECKS_DIR = Path(__file__).resolve().parent.parent / "phrasebooks" / "checks"
KINDS = ("phrase", "held-data", "sensitive")
SEVERITIES = ("error", "warning", "suggestion")
REWRITES = ("question", "none")
COMMON_KEYS = ("id", "kind", "severity", "message", "link", "source", "rewrite", "waived_when_said",
               "examples", "description")
KIND_KEYS = {"phrase": ("patterns", "unless"), "held-data": ("lexicon",), "sensitive": ("categories", "openers")}
KIND_REQUIRED = {"phrase": ("patterns",), "held-data": ("lexicon",), "sensitive": ("categories",)}
LEXICON_KEYS = ("discourse", "modals", "said_verbs", "habit", "history_verbs", "weak_verbs", "history_bases",
                "holding_nouns", "account_events", "possessive_history", "time")
CATEGORY_KEYS = ("terms", "cues")
FILE_KEYS = ("rules", "description")
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})


# ---------------------------------------------------------------- results

@dataclass
class CheckResult:
    revealing: bool
    findings: list = field(default_factory=list)
    rewrite: str | None = None

    def to_dict(self) -> dict:
        return {"revealing": self.revealing, "findings": self.findings, "rewrite": self.rewrite}


@dataclass(frozen=True)
class Hit:
    """One raw finding before context and `disable` are applied; `scope` is the text it judged."""

    start: int
    end: int
    rule: str
    scope: tuple[int, int]
    sentence: tuple[int, int]
    category: str | None = None


# ---------------------------------------------------------------- rules as data

@dataclass
class Rule:
    id: str
    kind: str
    severity: str
    message: str
    file: str = ""
    line: int = 0
    link: str | None = None
    source: str | None = None
    rewrite: str = "question"
    waived_when_said: bool = False
    examples: dict = field(default_factory=dict)
    regex: re.Pattern | None = None             # phrase: every pattern in one alternation
    hit_groups: tuple[str, ...] = ()
    unless: tuple[re.Pattern, ...] = ()
    lexicon: dict = field(default_factory=dict)  # held-data: word sets and the time regex
    categories: dict = field(default_factory=dict)   # sensitive: name -> cue words
    openers: re.Pattern | None = None


class _Collector:
    """Problems for one check-rule file, each placed at file:line:col."""

    def __init__(self, doc):
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, key: bool = False) -> None:
        line, col = self.doc.where(path, key=key)
        self.problems.append(Problem(self.doc.file, line, col, "error", message, "check-rule",
                                     self.doc.source_line(line)))

    def fields(self, obj: Any, path: tuple, allowed: Iterable[str], required: Iterable[str] = (),
               what: str = "mapping") -> bool:
        if not isinstance(obj, dict):
            self.add(path, f"expected a {what}; got {_kind(obj)}")
            return False
        allowed = tuple(allowed)
        for name in obj:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(allowed)}"
                self.add(path + (name,), f"unknown key '{name}'{hint}", key=True)
        missing = [name for name in required if name not in obj]
        for name in missing:
            self.add(path, f"missing required key '{name}'")
        return not missing

    def choice(self, obj: dict, path: tuple, name: str, choices: tuple, default: str | None = None) -> str | None:
        value = obj.get(name, default)
        if value not in choices:
            self.add(path + (name,), f"'{name}' must be one of {', '.join(choices)}; got {value!r}")
            return None
        return value

    def text(self, obj: dict, path: tuple, name: str) -> str | None:
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(path + (name,), f"'{name}' must be non-empty text; got {_kind(value)}")
            return None
        return value

    def strings(self, obj: Any, path: tuple, what: str) -> list[str]:
        if not isinstance(obj, list) or not obj:
            self.add(path, f"'{what}' must be a non-empty list of text; got {_kind(obj)}")
            return []
        out = []
        for i, item in enumerate(obj):
            if not isinstance(item, str) or not item.strip():
                self.add(path + (i,), f"'{what}' items must be text; got {_kind(item)}")
            else:
                out.append(item)
        return out

    def regexes(self, obj: Any, path: tuple, what: str) -> list[tuple[int, str]]:
        found = []
        for i, item in enumerate(self.strings(obj, path, what) if obj is not None else []):
            try:
                re.compile(item, re.IGNORECASE)
            except re.error as exc:
                self.add(path + (i,), f"'{what}' pattern does not compile: {exc}")
                continue
            found.append((i, item))
        return found


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else type(value).__name__


def _bounded(pattern: str) -> str:
    """A pattern that cannot start or end inside a word."""
    return rf"(?<![\w'])(?:{pattern})(?!\w)"


def _rule(c: _Collector, obj: Any, path: tuple) -> Rule | None:
    if not isinstance(obj, dict):
        c.add(path, f"expected a rule (a mapping); got {_kind(obj)}")
        return None
    kind = obj.get("kind")
    extra = KIND_KEYS[kind] if kind in KIND_KEYS else tuple(k for keys in KIND_KEYS.values() for k in keys)
    complete = c.fields(obj, path, COMMON_KEYS + extra,
                        ("id", "kind", "severity", "message", "examples") + KIND_REQUIRED.get(kind, ()), "rule")
    kind = c.choice(obj, path, "kind", KINDS) if "kind" in obj else None
    severity = c.choice(obj, path, "severity", SEVERITIES) if "severity" in obj else None
    rewrite = c.choice(obj, path, "rewrite", REWRITES, "none" if kind == "sensitive" else "question")
    rule_id, message = c.text(obj, path, "id"), c.text(obj, path, "message")
    if rule_id and not re.fullmatch(r"[a-z][a-z0-9-]*", rule_id):
        c.add(path + ("id",), f"rule id '{rule_id}' must be lower-case letters, digits and '-'")
    waived = obj.get("waived_when_said", False)
    if not isinstance(waived, bool):
        c.add(path + ("waived_when_said",), f"'waived_when_said' must be true or false; got {_kind(waived)}")
    examples = _examples(c, obj.get("examples"), path + ("examples",)) if "examples" in obj else {}
    if not (complete and kind and severity and rewrite and rule_id and message and examples):
        return None
    rule = Rule(id=rule_id, kind=kind, severity=severity, message=message, file=c.doc.file,
                line=c.doc.where(path)[0], link=c.text(obj, path, "link"), source=c.text(obj, path, "source"),
                rewrite=rewrite, waived_when_said=bool(waived), examples=examples)
    before = len(c.problems)
    {"phrase": _phrase, "held-data": _held_data, "sensitive": _sensitive}[kind](c, obj, path, rule)
    return rule if len(c.problems) == before else None


def _examples(c: _Collector, obj: Any, path: tuple) -> dict:
    if not c.fields(obj, path, ("flag", "pass"), ("flag", "pass"), "mapping of flag and pass examples"):
        return {}
    flag, ok = c.strings(obj["flag"], path + ("flag",), "flag"), c.strings(obj["pass"], path + ("pass",), "pass")
    return {"flag": flag, "pass": ok} if flag and ok else {}


def _phrase(c: _Collector, obj: dict, path: tuple, rule: Rule) -> None:
    patterns = c.regexes(obj.get("patterns"), path + ("patterns",), "patterns")
    parts, groups = [], []
    for i, pattern in patterns:
        name = f"hit{i}"
        if "(?P<hit>" in pattern:
            groups.append(name)
        parts.append("(?:" + pattern.replace("(?P<hit>", f"(?P<{name}>") + ")")
    if parts:
        rule.regex = re.compile(_bounded("|".join(parts)), re.IGNORECASE)
        rule.hit_groups = tuple(groups)
    if "unless" in obj:
        rule.unless = tuple(re.compile(p, re.IGNORECASE)
                            for _, p in c.regexes(obj["unless"], path + ("unless",), "unless"))


def _held_data(c: _Collector, obj: dict, path: tuple, rule: Rule) -> None:
    lex = obj.get("lexicon")
    where = path + ("lexicon",)
    if not c.fields(lex, where, LEXICON_KEYS, LEXICON_KEYS, "lexicon"):
        return
    out: dict = {}
    for name in LEXICON_KEYS:
        if name == "time":
            found = c.regexes(lex[name], where + (name,), name)
            out[name] = re.compile(_bounded("|".join(f"(?:{p})" for _, p in found)), re.IGNORECASE) \
                if found else None
        else:
            out[name] = frozenset(w.lower() for w in c.strings(lex[name], where + (name,), name))
    if out.get("holding_nouns"):
        out["holding_re"] = re.compile(rf"\b{_NUMBER}\s+(?:\w+\s+)?(?:{'|'.join(sorted(out['holding_nouns']))})\b")
    rule.lexicon = out


def _sensitive(c: _Collector, obj: dict, path: tuple, rule: Rule) -> None:
    cats = obj.get("categories")
    where = path + ("categories",)
    if not isinstance(cats, dict) or not cats:
        c.add(where, f"'categories' must be a mapping of category to terms and cues; got {_kind(cats)}")
        return
    parts = []
    for name, spec in cats.items():
        if not re.fullmatch(r"[a-z_]+", name):
            c.add(where + (name,), f"category '{name}' must be lower-case letters and '_'", key=True)
            continue
        if not c.fields(spec, where + (name,), CATEGORY_KEYS, ("terms", "cues"), "category"):
            continue
        terms = c.regexes(spec["terms"], where + (name, "terms"), "terms")
        cues = spec["cues"]
        if not isinstance(cues, list) or not all(isinstance(w, str) for w in cues):
            c.add(where + (name, "cues"), f"'cues' must be a list of words; got {_kind(cues)}")
            continue
        rule.categories[name] = tuple(w.lower() for w in cues)
        if terms:
            parts.append(f"(?P<cat_{name}>" + "|".join(f"(?:{t})" for _, t in terms) + ")")
    if parts:
        rule.regex = re.compile(_bounded("|".join(parts)), re.IGNORECASE)
    if "openers" in obj:
        words = c.strings(obj["openers"], path + ("openers",), "openers")
        if words:
            rule.openers = re.compile(r"^\W*(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def parse_rules(text: str, file: str) -> tuple[list[Rule], list[Problem]]:
    """One check-rule file's rules and every problem in it, as file:line:col."""
    try:
        doc = read_yaml(text, file)
    except YamlProblem as exc:
        lines = text.splitlines()
        src = lines[exc.line - 1] if 0 < exc.line <= len(lines) else None
        return [], [Problem(file, exc.line, exc.col, "error", exc.message, "yaml", src)]
    c = _Collector(doc)
    if doc.data is None:
        return [], [Problem(file, 1, 1, "error", "empty check-rule file", "check-rule")]
    if not c.fields(doc.data, (), FILE_KEYS, ("rules",), "mapping with 'rules' at the top of the file"):
        return [], c.problems
    raw = doc.data["rules"]
    if not isinstance(raw, list) or not raw:
        c.add(("rules",), f"'rules' must be a non-empty list; got {_kind(raw)}")
        return [], c.problems
    rules = [r for r in (_rule(c, item, ("rules", i)) for i, item in enumerate(raw)) if r]
    return rules, c.problems


def rule_files(paths: Iterable[str | os.PathLike] | None = None) -> list[Path]:
    """The check-rule files: $TACT_CHECKS or the bundled folder, files as given, folders' *.yaml."""
    roots = [Path(p) for p in (paths or [os.environ.get("TACT_CHECKS") or CHECKS_DIR])]
    found: list[Path] = []
    for root in roots:
        found.extend(sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml")) if root.is_dir() else [root])
    return found


def collect_rules(paths: Iterable[str | os.PathLike] | None = None) -> tuple[list[Rule], list[Problem]]:
    """Every rule in the files and every problem, including ids defined twice."""
    rules: list[Rule] = []
    problems: list[Problem] = []
    seen: dict[str, Rule] = {}
    for path in rule_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), 1, 1, "error", f"cannot read: {exc}", "io"))
            continue
        found, trouble = parse_rules(text, str(path))
        problems.extend(trouble)
        for rule in found:
            if rule.id in seen:
                problems.append(Problem(rule.file, rule.line, 1, "error",
                                        f"rule id '{rule.id}' already defined at {seen[rule.id].file}:"
                                        f"{seen[rule.id].line}", "duplicate-rule"))
                continue
            seen[rule.id] = rule
            rules.append(rule)
    return rules, problems


def load_rules(paths: Iterable[str | os.PathLike] | None = None) -> list[Rule]:
    """A valid rule set, or PhrasebookError listing every problem."""
    rules, problems = collect_rules(paths)
    if problems:
        raise PhrasebookError(problems)
    return rules


# ---------------------------------------------------------------- text helpers

_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)|\n")
_ABBREVIATIONS = frozenset("mr mrs ms dr st no vs etc approx e.g i.e jr sr prof mt".split())
_SUBJECT = re.compile(r"(?<![\w'])(you(?:'ve|'re|'d|'ll|ve|re)?|u|ya|your|ur|youre|youve)(?![\w'])", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r",(?!\d)|[;:\u2014\u2013(]|\s-\s|(?<![\w'])(?:and|but|so|then)(?![\w'])", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,.](?!\d)|[;:!?\u2014\u2013()]|\s-\s|(?<![\w'])(?:and|but|so|because|which|when|"
                         r"although|though|if|as|cos|coz)(?![\w'])", re.IGNORECASE)
_TAG_QUESTION = re.compile(r",\s*(?:right|yeah|yes|no|correct|eh|huh|innit|isn't it|aren't you|don't you|"
                           r"didn't you|haven't you|weren't you|wasn't it|won't you|isn't that right|am i right)"
                           r"\s*\?+\s*$", re.IGNORECASE)
_WORD = re.compile(r"[\w\u00a3$\u20ac%]+(?:['.,][\w]+)*")
_PREFIX_OK = re.compile(r"^[\W_]*(?:(?:last (?:time|year|month|week|night)|previously|in the past|recently|"
                        r"[A-Z][a-z]+(?=\s*,))\W*)?$")
_REPORTING = re.compile(r"(?:^|\b(?:i|we) (?:can |could |do )?(?:see|saw|notice|noticed|know|think|gather|"
                        r"understand|believe|note|reckon|guess)|\b(?:show|shows|say|says|said|indicate|indicates|"
                        r"suggest|suggests|tell|tells|telling me|here|mentions|lists))(?: that)?$")
_REPORTED = re.compile(r"(?<![\w'])(?:you|u) (?:said|mentioned|told (?:me|us)|asked|let (?:me|us) know|explained|"
                       r"were saying)\b", re.IGNORECASE)
_STILL_ON = re.compile(r"\bstill on (?:the|your|an?|my) (?:\w+ )?(?:tariff|plan|contract|package|deal|rate|price|"
                       r"scheme|policy|bundle|account|card)\b")
_PREFIX_WORD = re.compile(r"[\w']+")
_CONDITIONAL_YOU = re.compile(r"(?<![\w'])(?:if|whenever|should|in case|unless|once)\s+(?:you|u)\b", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"(?<![\w'])(?:you|your|yours|u|ur|you're|you've|you'd|you'll|yourself)(?![\w'])",
                            re.IGNORECASE)
_NUMBER = r"(?:\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|several|a few|no)"
CONTRACTIONS = {
    "you've": ("you", "have"), "youve": ("you", "have"), "you're": ("you", "are"), "youre": ("you", "are"),
    "you'd": ("you", "would"), "you'll": ("you", "will"), "don't": ("do", "not"), "dont": ("do", "not"),
    "doesn't": ("does", "not"), "didn't": ("did", "not"), "didnt": ("did", "not"), "haven't": ("have", "not"),
    "havent": ("have", "not"), "hasn't": ("has", "not"), "hadn't": ("had", "not"), "aren't": ("are", "not"),
    "arent": ("are", "not"), "weren't": ("were", "not"), "wasn't": ("was", "not"), "won't": ("will", "not"),
    "wont": ("will", "not"), "can't": ("can", "not"), "cant": ("can", "not"), "isn't": ("is", "not"),
    "'ve": ("have",), "'re": ("are",), "'d": ("would",), "'ll": ("will",),
}
AUXILIARIES = frozenset("do does did have has had are were was is am".split())
ADVERBS = frozenset("just only also still already really ever recently actually definitely probably clearly "
                    "obviously certainly currently now even".split())
_UR_AS_YOU_ARE = frozenset("all welcome right not in on booked through covered set done good very so still probably "
                           "clearly due a an the always never usually".split())


def normalise(text: str) -> str:
    """Curly apostrophes made straight, keeping every offset."""
    return text.translate(APOSTROPHES)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, cheap and abbreviation-aware (no model load on the hot path)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        word = text[max(start, m.start() - 5):m.start()].rsplit(None, 1)
        if m.group().startswith(".") and word and word[-1].lower().strip("(") in _ABBREVIATIONS:
            continue
        if text[start:m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [_trim(text, a, b) for a, b in spans]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def words_of(fragment: str) -> list[str]:
    """Lower-case words with contractions expanded (you've -> you have)."""
    out: list[str] = []
    for word in _WORD.findall(fragment.lower()):
        out.extend(CONTRACTIONS.get(word, (word,)))
    return out


# ---------------------------------------------------------------- detectors

def _phrase_hits(rule: Rule, text: str, sent: tuple[int, int]) -> list[Hit]:
    hits = []
    a, b = sent
    for m in rule.regex.finditer(text, a, b):
        if any(u.match(text, m.start(), b) for u in rule.unless):
            continue
        start, end = m.span()
        for name in rule.hit_groups:
            if m.group(name) is not None:
                start, end = m.span(name)
                break
        hits.append(Hit(start, end, rule.id, sent, sent))
    return hits


def _sensitive_hits(rule: Rule, text: str, sent: tuple[int, int]) -> list[Hit]:
    a, b = sent
    if not _addressed(rule, text[a:b]):
        return []
    question = _is_question(text[a:b])
    return [Hit(m.start(), m.end(), rule.id, sent, sent, (m.lastgroup or "cat_")[4:])
            for m in rule.regex.finditer(text, a, b)
            if not (question and _offered_as_choice(text, m.start(), m.end()))]


_OR = re.compile(r"(?<![\w'])or(?![\w'])", re.IGNORECASE)
_YOURS_BEFORE = re.compile(r"(?<![\w'])(?:your|ur)\s+(?:[\w'-]+\s+)?$", re.IGNORECASE)


def _offered_as_choice(text: str, start: int, end: int) -> bool:
    """'The halal or the vegetarian meal?' offers options; 'for your medication?' presumes."""
    near = text[max(0, start - 25):end + 25]
    return bool(_OR.search(near)) and not _YOURS_BEFORE.search(text[max(0, start - 30):start])


def _addressed(rule: Rule, sentence: str) -> bool:
    """The sentence speaks to the customer: you/your outside an if-clause, or a presumptive opener."""
    if rule.openers is not None and rule.openers.match(sentence):
        return True
    people = len(_SECOND_PERSON.findall(sentence))
    return people > len(_CONDITIONAL_YOU.findall(sentence))


def _is_question(sentence: str) -> bool:
    stripped = sentence.rstrip()
    return stripped.endswith("?") and not _TAG_QUESTION.search(stripped)


def _held_data_hits(rule: Rule, text: str, sent: tuple[int, int]) -> list[Hit]:
    a, b = sent
    if _is_question(text[a:b]):
        return []
    hits = []
    for m in _SUBJECT.finditer(text, a, b):
        clause_start = a
        for brk in _CLAUSE_BREAK.finditer(text, a, m.start()):
            clause_start = brk.end()
        prefix = text[clause_start:m.start()]
        if not _plain_prefix(rule, prefix):
            continue
        end_m = _CLAUSE_END.search(text, m.end(), b)
        clause_end = end_m.start() if end_m else b
        subject = m.group(1).lower()
        pred = words_of(text[m.end():clause_end])
        if subject == "ur" and pred and pred[0] in _UR_AS_YOU_ARE:
            subject = "you're"
        if subject in ("your", "ur"):
            signal = _your_signal(rule.lexicon, pred, text[clause_start:clause_end])
        else:
            pred = list(CONTRACTIONS.get(subject, (subject,))[1:]) + pred
            signal = _you_signal(rule.lexicon, pred, text[clause_start:clause_end])
        if signal:
            end = _trim(text, m.start(), clause_end)[1]
            hits.append(Hit(m.start(), end, rule.id, (clause_start, clause_end), sent))
    return hits


def _plain_prefix(rule: Rule, prefix: str) -> bool:
    """Only discourse words, a time opener or a name before the subject: it starts the clause."""
    if not prefix.strip():
        return True
    words = _PREFIX_WORD.findall(prefix.lower())
    rest = [w for w in words if w not in rule.lexicon["discourse"]]
    joined = " ".join(rest)
    return not rest or bool(_PREFIX_OK.match(joined) and len(rest) <= 3) or bool(_REPORTING.search(joined))


def _you_signal(lex: dict, pred: list[str], clause: str) -> bool:
    """Habit, holding or history stated of 'you', outside questions, instructions and the future."""
    if not pred or pred[0] in lex["modals"] or pred[0] in lex["said_verbs"]:
        return False
    if pred[:2] in (["have", "to"], ["do", "not"]) and "have to" in " ".join(pred[:4]):
        return False
    aux = pred[0] if pred[0] in AUXILIARIES else None
    rest = pred[1:] if aux else pred
    negated = bool(rest) and rest[0] in ("not", "never", "no")
    body = [w for w in rest if w not in ADVERBS and w != "not"]
    verb = body[0] if body else ""
    if verb in lex["modals"] or verb in lex["said_verbs"] or (aux in ("are", "were", "was", "is") and verb in
                                                              ("right", "welcome", "wrong")):
        return False
    if any(w in lex["habit"] for w in pred[:4]) or pred[:2] == ["used", "to"]:
        return True
    if _holds(aux, negated, body, pred):
        return True
    time = lex["time"].search(clause) if lex["time"] is not None else None
    phrase = " ".join(pred)
    if verb in lex["history_verbs"] or " ".join(body[:2]) in lex["history_verbs"]:
        if aux in (None, "have", "has", "had"):
            return True
    if aux == "did" and negated and verb in lex["history_bases"]:
        return True
    if " with us" in f" {phrase}" and (aux in ("have", "has", "had") or verb in ("been", "had", "have")):
        return True
    if "holding_re" in lex and lex["holding_re"].search(phrase) and \
            (aux in ("have", "has", "are") or verb in ("have", "got")):
        return True
    if _STILL_ON.search(phrase):
        return True
    if time and (verb in lex["weak_verbs"] or verb in lex["history_bases"] or aux or verb in lex["history_verbs"]
                 or (verb.endswith("ed") and len(verb) > 4)):
        return not (aux in ("are", "were", "was", "is") and verb.endswith("ed") and verb not in
                    lex["history_verbs"] and not re.search(r"\b(?:twice|times|again)\b", clause))
    return False


def _holds(aux: str | None, negated: bool, body: list[str], pred: list[str]) -> bool:
    """'You don't have X', 'you've got no X', 'you only have X': a product holding or gap."""
    verb = body[0] if body else ""
    after = body[1] if len(body) > 1 else ""
    if after == "to" or (verb == "got" and after == "to"):
        return False
    if aux in ("do", "does", "did") and negated and verb == "have":
        return True
    if aux == "have" and negated and verb == "got":
        return True
    if verb in ("have", "got") and after == "no":
        return True
    if aux == "have" and verb == "no":
        return True
    return "only" in pred[:3] and (verb in ("have", "got", "use", "hold") or "with us" in " ".join(pred))


def _your_signal(lex: dict, pred: list[str], clause: str) -> bool:
    """'Your last order was ...', 'your card was declined twice last month', 'your points balance is 3,200'."""
    if not pred or any(w in lex["modals"] or w == "to" for w in pred[:5]):
        return False
    if pred[0] in lex["possessive_history"]:
        return True
    head = pred[:3]
    if any(w in lex["holding_nouns"] for w in head) and any(
            f" {event} " in f" {' '.join(pred[:6])} " for event in lex["account_events"]):
        return True
    if lex["time"] is not None and lex["time"].search(clause):
        return True
    phrase = " ".join(pred)
    if re.search(r"\bwith (?:another|a different|other) \w+|\belsewhere\b", phrase):
        return True
    head = pred[:3]
    return any(w in lex["holding_nouns"] for w in head) and \
        bool(re.search(r"\b(?:is|are|was|'s|stands at)\s+(?:at\s+|now\s+|only\s+)?[\u00a3$\u20ac]?\d", phrase))


DETECTORS = {"phrase": _phrase_hits, "held-data": _held_data_hits, "sensitive": _sensitive_hits}


# ---------------------------------------------------------------- what the customer said

_STOP = frozenset("""i me my mine you your yours u ur we us our the a an to of in on at for with and or but so is are
was were be been being have has had do does did not no it its that this these those there here can could would will
should may might must just really very since got get yet also too again from by as about what which who how when where
then than if up out off over all any some more most s t ve re ll d m im i'm it's that's please thanks thank yes yeah ok
okay well oh hi hello right now""".split())
_nltk_lock = threading.Lock()
_nltk_parts: dict = {}


def _nltk():
    """NLTK's tokeniser and Snowball stemmer, loaded on first use (they need no downloaded data)."""
    with _nltk_lock:
        if not _nltk_parts:
            from nltk.stem.snowball import SnowballStemmer
            from nltk.tokenize.destructive import NLTKWordTokenizer
            _nltk_parts["tok"] = NLTKWordTokenizer()
            _nltk_parts["stem"] = SnowballStemmer("english")
    return _nltk_parts["tok"], _nltk_parts["stem"]


@lru_cache(maxsize=4096)
def content_stems(fragment: str) -> frozenset:
    """The stems of a fragment's content words, for comparing with the customer's own words."""
    tok, stem = _nltk()
    words = (w.lower().strip("'") for w in tok.tokenize(normalise(fragment)))
    return frozenset(stem.stem(w) for w in words if w and w not in _STOP and re.search(r"[a-z0-9]", w))


def said_by_customer(rule: Rule, hit: Hit, text: str, utterances: tuple[str, ...]) -> bool:
    """The customer raised this in this conversation, so referring back to it is natural."""
    said = frozenset().union(*(content_stems(u) for u in utterances))
    if not said:
        return False
    if hit.category is not None:
        _, stem = _nltk()
        cues = {stem.stem(w) for w in rule.categories.get(hit.category, ())}
        if cues & said:
            return True
    for a, b in (hit.scope, (hit.start, hit.end)):
        mine = content_stems(text[a:b])
        shared = mine & said
        if len(shared) >= 2 or (mine and len(shared) / len(mine) >= 0.5):
            return True
    return False


# ---------------------------------------------------------------- the question-led rewrite

_FRAME_TO_COMMA = re.compile(r"^\W*(?:since|because|as|now that|seeing as|based on|according to|looking at|going by|"
                             r"judging by|from|per|as per|what)\b", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:\s|,|:|-|\u2014|\u2013|that\b|here\b)*"
                      r"(?:(?:from|in|on|here on) (?:your|our|the|my) [\w ]*?(?=\s(?:that|you|u|I|we)\b)\s*)?"
                      r"(?:that\s+)?(?:(?:I|we) (?:can )?(?:see|tell|notice)"
                      r"(?: that)?\s+|(?:I|we) (?:can )?(?:see|tell|notice)\s*,?\s*)?(?:that\s+)?", re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:you|u) (?:seem|appear|must|might|may|could)(?: to)? be\b", re.IGNORECASE)
_HEDGE_HAVE = re.compile(r"\b(?:you|u) (?:seem|appear) to have\b", re.IGNORECASE)
_CERTAINTY = re.compile(r"\s+(?:probably|clearly|obviously|definitely|surely|certainly)\b", re.IGNORECASE)
_TROUBLE = re.compile(r"^(?:your|ur) ((?:\w+ ){0,2}?\w+) (?:was|were|has been|have been|got|keeps getting|kept getting)"
                      r" (?:declined|rejected|refused|blocked|bounced|suspended|frozen|stopped|cancelled|flagged)\b",
                      re.IGNORECASE)
_RECENT = re.compile(
    r"\s*\b(?:last (?:week|month|year|time|night|summer|winter|spring|autumn|weekend|christmas|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)|since (?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december|\w+ (?:19|20)\d\d|(?:19|20)\d\d|last \w+|then|\w+day)|(?:\w+ )?(?:days|weeks|"
    r"months|years) ago|(?:in|on|during|back in) (?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december|(?:19|20)\d\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"yesterday|last night|(?:once|twice|\w+ times)(?: (?:last|this) \w+)?|in a while|for a while|in ages|"
    r"again|this (?:week|month|year)|(?:\w+ )?(?:weeks|months|years) running|lately|"
    r"(?:in|over) (?:the (?:past|last) )?(?:\w+|\d+) (?:days|weeks|months|years)|"
    r"on (?:your|ur) last (?:\w+ )?(?:flights?|orders?|visits?|stays?|trips?))\b", re.IGNORECASE)
_FOR_A_WHILE = re.compile(r"\s*\bfor (?:the (?:past|last) )?(?:\w+|\d+) (?:days|weeks|months|years)\b", re.IGNORECASE)
_HABIT_WHEN = re.compile(r"\s*\b(?:in|on|during) (?:january|february|march|april|may|june|july|august|september|"
                         r"october|november|december|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|"
                         r"sundays?)\b", re.IGNORECASE)
_HABIT = re.compile(r"\b(?:usually|always|normally|often|typically|generally|regularly|rarely|mostly|tend)\b",
                    re.IGNORECASE)
_NO_QUESTION = re.compile(r"\b(?:flagged|identified|tagged|segment|scored|classed|classified|profiled|cohort)\b",
                          re.IGNORECASE)
_SINCE_POSITIVE = re.compile(r"\s*\bsince (?:(?:19|20)\d\d|\w+)\b", re.IGNORECASE)
_COUNT = re.compile(r"(?<!last )(?<!first )(?<!next )\b(?:two|three|four|five|six|seven|eight|nine|ten|several|"
                    r"a few)\s+(?=(?:\w+ )?\w+s\b)", re.IGNORECASE)
_INVERT = {"have": "Have", "has": "Have", "had": "Had", "do": "Do", "does": "Do", "did": "Did", "are": "Are",
           "were": "Were", "was": "Were", "is": "Are", "am": "Are", "would": "Would", "will": "Will", "can": "Can",
           "could": "Would", "might": "Would", "may": "Would", "should": "Should"}
_DROP = frozenset("not only still just already also really actually".split())
_lemma_lock = threading.Lock()


@lru_cache(maxsize=1)
def _lemminflect():
    """lemminflect's lemma and inflection lookups, loaded on the first rewrite and remembered per word."""
    with _lemma_lock:
        from lemminflect import getInflection, getLemma
    return lru_cache(maxsize=8192)(getLemma), lru_cache(maxsize=8192)(getInflection)


def rewrite_text(text: str, hits: tuple[Hit, ...], rules: dict) -> str | None:
    """Each revealing sentence as a question without its source frame; None when one has no safe rewrite."""
    if not hits or any(rules[h.rule].rewrite == "none" for h in hits):
        return None
    norm = normalise(text)
    out, cursor = [], 0
    for sent in split_sentences(norm):
        mine = [h for h in hits if sent[0] <= h.start < sent[1]]
        out.append(norm[cursor:sent[0]])
        if mine:
            question = question_for(norm[sent[0]:sent[1]], [(h.start - sent[0], h.end - sent[0], rules[h.rule])
                                                            for h in mine])
            if not question:
                return None
            out.append(question)
        else:
            out.append(norm[sent[0]:sent[1]])
        cursor = sent[1]
    result = "".join(out).strip()
    return result or None


def question_for(sentence: str, frames: list[tuple[int, int, Rule]]) -> str | None:
    """One sentence as a plain yes/no question: drop the frame, invert the clause, blur the dates."""
    rest = sentence
    for start, end, rule in sorted(frames, key=lambda f: -f[0]):
        if rule.kind != "phrase":
            continue
        frame = sentence[start:end]
        if rule.id == "inference" and re.search(r"\b(?:you|u)\b", frame, re.IGNORECASE):
            subject = list(re.finditer(r"\b(?:you|u)\b", frame, re.IGNORECASE))[-1]
            rest = sentence[start + subject.start():]
        elif _FRAME_TO_COMMA.match(frame) or rule.id == "since-you":
            comma = sentence.find(",", end)
            if comma < 0 and rule.id == "since-you":
                return None
            rest = sentence[comma + 1:] if comma >= 0 else sentence[end:]
        else:
            rest = sentence[end:]
        break
    rest = _LEAD_IN.sub("", rest, count=1).strip()
    rest = _HEDGE_HAVE.sub("you have", _HEDGE.sub("you are", rest))
    rest = _CERTAINTY.sub("", rest)
    if not rest or _NO_QUESTION.search(rest):
        return None
    first = re.split(r"(?<=[.!?])\s", rest, maxsplit=1)[0]
    if first.rstrip().endswith("?") and not _TAG_QUESTION.search(first):
        return _capital(first.strip())
    clause = _CLAUSE_END.split(first, maxsplit=1)[0].strip()
    trouble = _TROUBLE.match(clause)
    if trouble:
        return f"Have you had any trouble with your {trouble.group(1)}?"
    return invert(clause)


def invert(clause: str) -> str | None:
    """'you usually fly economy' -> 'Do you usually fly economy?'; None when the clause is not about 'you'."""
    words = clause.split()
    if not words:
        return None
    head = words[0].lower()
    if head in ("u", "ya"):
        head = "you"
    expanded = CONTRACTIONS.get(head, (head,))
    if expanded[0] != "you":
        return None
    pred = list(expanded[1:]) + words[1:]
    if pred and pred[0].lower() in CONTRACTIONS:
        pred = list(CONTRACTIONS[pred[0].lower()]) + pred[1:]
    if not pred:
        return None
    first = pred[0].lower()
    positive_perfect = first in ("have", "has") and (len(pred) < 2 or pred[1].lower() not in ("not", "no", "never"))
    if first in ("have", "has", "had") and not _auxiliary_have(pred):
        aux, rest = ("Did" if first == "had" else "Do"), ["have"] + pred[1:]
        positive_perfect = False
    elif first in _INVERT:
        aux, rest = _INVERT[first], pred[1:]
    elif first == "used" and len(pred) > 1 and pred[1].lower() == "to":
        aux, rest = "Did", ["use"] + pred[1:]
    else:
        aux, rest = _do_support(pred)
        if aux is None:
            return None
    rest = _soften(rest, aux, positive_perfect)
    body = " ".join(rest).strip(" ,.;:!")
    body = re.sub(r"\s+", " ", body)
    return f"{aux} you {body}?" if body else None


def _auxiliary_have(pred: list[str]) -> bool:
    """'have' as an auxiliary (have flown, 've got, haven't) rather than the main verb (have a policy)."""
    nxt = [w.lower() for w in pred[1:3] if w.lower() not in ADVERBS]
    if not nxt or nxt[0] in ("not", "never", "got", "been", "no"):
        return bool(nxt) and nxt[0] != "no"
    get_lemma, get_inflection = _lemminflect()
    lemmas = get_lemma(nxt[0], upos="VERB")
    return bool(lemmas) and nxt[0] in get_inflection(lemmas[0], tag="VBN") and nxt[0] != lemmas[0]


def _do_support(pred: list[str]) -> tuple[str | None, list[str]]:
    """Find the main verb after any adverbs; 'Did' + lemma for the past, 'Do' for the present."""
    get_lemma, get_inflection = _lemminflect()
    for i, word in enumerate(pred):
        low = word.lower()
        if low in ADVERBS or low in ("usually", "always", "normally", "often", "typically", "generally",
                                     "regularly", "rarely", "never", "mostly", "frequently", "seldom", "tend"):
            if low == "tend":
                return "Do", pred
            continue
        lemmas = get_lemma(low, upos="VERB")
        if not lemmas:
            return None, pred
        lemma = lemmas[0]
        past = set(get_inflection(lemma, tag="VBD")) | set(get_inflection(lemma, tag="VBN"))
        if low != lemma and low in past:
            return "Did", pred[:i] + [lemma] + pred[i + 1:]
        if low == lemma:
            return "Do", pred
        return None, pred
    return None, pred


def _soften(rest: list[str], aux: str, positive_perfect: bool) -> list[str]:
    """Drop negation and 'only'/'still', never -> ever, rarely -> often, no -> any, dates -> 'recently'."""
    out = []
    for word in rest:
        low = word.lower()
        if low in _DROP:
            continue
        out.append({"never": "ever", "rarely": "often", "seldom": "often", "no": "any"}.get(low, word))
    body = " ".join(out)
    if _HABIT.search(body):
        body = _HABIT_WHEN.sub("", body)
    if positive_perfect and not re.search(r"\bever\b", body):
        body = _SINCE_POSITIVE.sub(" \0", body, count=1)
    body = _FOR_A_WHILE.sub(" \0", body)
    body, n = _RECENT.subn(" recently", body)
    body = body.replace("\0", "for a while")
    body = _COUNT.sub("any ", body)
    if n > 1:
        first = body.find(" recently") + len(" recently")
        body = body[:first] + body[first:].replace(" recently", "")
    body = re.sub(r"\brecently(\s+recently)+", "recently", body)
    return body.split()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- the checker

class Checker:
    """The check rules, ready to judge text; results are cached per text."""

    def __init__(self, rules: list[Rule]):
        self.rules = list(rules)
        self.by_id = {r.id: r for r in self.rules}
        self._scan = lru_cache(maxsize=8192)(self._scan_uncached)
        self._rewrite = lru_cache(maxsize=4096)(self._rewrite_uncached)

    def _scan_uncached(self, text: str) -> tuple[Hit, ...]:
        norm = normalise(text)
        hits: list[Hit] = []
        for sent in split_sentences(norm):
            for rule in self.rules:
                if rule.kind == "held-data" or rule.regex is not None:
                    hits.extend(DETECTORS[rule.kind](rule, norm, sent))
        hits = [h for h in hits if not (self.by_id[h.rule].waived_when_said and
                                        _REPORTED.search(norm, h.sentence[0], h.start))]
        return tuple(sorted(hits, key=lambda h: (h.start, h.end, h.rule)))

    def hits(self, text: str, context=None, disable: Iterable[str] = ()) -> list[Hit]:
        """Raw findings left after `disable` and after what the customer said."""
        off = set(disable or ())
        found = [h for h in self._scan(text) if h.rule not in off]
        utterances = tuple(getattr(context, "customer_utterances", ()) or ())
        if utterances and found:
            found = [h for h in found if not (self.by_id[h.rule].waived_when_said and
                                              said_by_customer(self.by_id[h.rule], h, text, utterances))]
        return found

    def check(self, text: str, context=None, disable: Iterable[str] = ()) -> CheckResult:
        """Findings, whether any is an error, and a question-led rewrite when one is safe."""
        if not isinstance(text, str):
            text = str(text)
        found = self.hits(text, context, disable)
        findings = [self._finding(text, h) for h in found]
        revealing = any(f["severity"] == "error" for f in findings)
        rewrite = None
        if revealing:
            rewrite = self._rewrite(text, tuple(h for h in found if self.by_id[h.rule].severity == "error"),
                                    frozenset(disable or ()))
        return CheckResult(revealing, findings, rewrite)

    def is_revealing(self, text: str, context=None, disable: Iterable[str] = ()) -> bool:
        return any(self.by_id[h.rule].severity == "error" for h in self.hits(text, context, disable))

    def _finding(self, text: str, hit: Hit) -> dict:
        rule = self.by_id[hit.rule]
        found = {"start": hit.start, "end": hit.end, "match": text[hit.start:hit.end], "rule": rule.id,
                 "severity": rule.severity, "message": rule.message}
        if rule.link:
            found["link"] = rule.link
        return found

    def _rewrite_uncached(self, text: str, hits: tuple[Hit, ...], disable: frozenset) -> str | None:
        result = rewrite_text(text, hits, self.by_id)
        if result and (self.is_revealing(result, None, disable) or re.search(r"\d", result)):
            return None
        return result

    def cache_clear(self) -> None:
        self._scan.cache_clear()
        self._rewrite.cache_clear()


_default: Checker | None = None
_default_lock = threading.Lock()


def default_checker() -> Checker:
    """The bundled rules (or $TACT_CHECKS), loaded once."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Checker(load_rules())
        return _default
