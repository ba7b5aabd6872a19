"""Check rules as data: the YAML files in phrasebooks/checks/, validated strictly.

Like Vale styles and alex's pattern files, each rule has an id, a kind, a
severity, a one-sentence message and examples that must flag and must pass.
Every problem is reported as file:line:col, and a broken file never half-loads.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from .. import bookcache
from ..bundled import bundled
from ..errors import PhrasebookError, Problem
from ..yamlsource import Collector, YamlProblem, kind_of, read_yaml
from .prefilter import needs

_NUMBER = r"(?:\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|several|a few|no)"
CHECKS_DIR = bundled("phrasebooks") / "checks"
KINDS = ("phrase", "held-data", "sensitive", "answer")
SEVERITIES = ("error", "warning", "suggestion")
REWRITES = ("question", "none")
COMMON_KEYS = ("id", "kind", "severity", "message", "link", "source", "rewrite", "waived_when_said",
               "waived_when_asked", "waived_when_answered", "examples", "description")
KIND_KEYS = {"phrase": ("patterns", "unless", "words", "said_as"), "held-data": ("lexicon",), "sensitive": ("categories", "openers"),
             "answer": ("asking", "volunteers", "frame_words", "same_thing", "answer_shapes")}
KIND_REQUIRED = {"phrase": ("patterns",), "held-data": ("lexicon",), "sensitive": ("categories",),
                 "answer": ("asking", "volunteers", "frame_words")}
ANSWER_EXAMPLE = " => "      # an answer rule's examples: "what the customer said => what staff said"
LEXICON_KEYS = ("discourse", "modals", "said_verbs", "habit", "history_verbs", "weak_verbs", "history_bases",
                "holding_nouns", "account_events", "possessive_history", "service_verbs", "cover_verbs", "time")
CATEGORY_KEYS = ("terms", "cues")
FILE_KEYS = ("rules", "description")

# ---------------------------------------------------------------- rules as data

@dataclass(eq=False)
class Part:
    """One pattern of a rule, compiled on its own so a sentence without its words never runs it."""
    regex: re.Pattern                   # bounded at its end; `word_matches` bounds its start
    on_lower: bool                      # case folded: matched on the lower-cased copy (Python scans it faster)
    needs: frozenset[str] | None        # words one of which every match contains (see `prefilter`)
    order: int                          # its place in the rule: the first of two matches at one place wins
    rule: str                           # the rule's id

    # Kept (tact.bookcache) as its source: a fresh process compiles only the parts a sentence's words make live,
    # not the hundreds a one-off `tact suggest` never tries.
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        regex = state.pop("regex", None)
        state["_source"] = (regex.pattern, regex.flags) if regex is not None else state.get("_source")
        return state

    def __getattr__(self, name: str):
        """The regex, compiled on first use after the part was read back from the cache."""
        if name == "regex" and "_source" in self.__dict__:
            self.regex = re.compile(*self.__dict__["_source"])
            return self.regex
        raise AttributeError(name)


def word_matches(regex: re.Pattern, text: str, a: int, b: int):
    """regex's matches in text[a:b] that start a word (not after a letter, digit, '_' or apostrophe), as
    finditer would find them with that bound as a lookbehind at the front.

    Python's re skips ahead to a pattern's first letters only when the pattern
    starts with them, so the bound is checked here, searching on one character
    later when it fails.
    """
    pos = a
    while pos < b:
        m = regex.search(text, pos, b)
        if m is None:
            return
        start = m.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_'"):
            pos = start + 1
            continue
        yield m
        pos = max(m.end(), start + 1)


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
    waived_when_asked: bool = False              # an answer to what the customer asked is service
    waived_when_answered: bool = False           # ... only when it gives the very kind of thing asked for
    examples: dict = field(default_factory=dict)
    pattern: str | None = None                  # phrase, sensitive: every pattern in one alternation
    parts: tuple[Part, ...] = ()                # the same patterns one by one, tried when their words occur
    hit_groups: tuple[str, ...] = ()
    unless: tuple[re.Pattern, ...] = ()
    lexicon: dict = field(default_factory=dict)  # held-data: word sets and the time regex
    categories: dict = field(default_factory=dict)   # sensitive: name -> cue words
    said_as: dict = field(default_factory=dict)      # phrase: a word it uses -> the customer's words for the same
    openers: re.Pattern | None = None
    asking: re.Pattern | None = None            # answer: the customer's words ask for something
    volunteers: re.Pattern | None = None        # answer: the staff line adds held data beyond the answer
    frame_words: frozenset = frozenset()        # answer: words that frame, not topics ('see', 'records')
    same_thing: tuple = ()                      # answer: groups of words that name one thing ('balance', 'available')
    answer_shapes: tuple = ()                   # answer: (name, question, reply) patterns: 'when ...?' -> a date

    @cached_property
    def regex(self) -> re.Pattern:
        """The whole alternation, case-insensitive: for text whose lower case changes length (rare)."""
        return re.compile(self.pattern, re.IGNORECASE)


class _Collector(Collector):
    rule = "check-rule"

    def fields(self, obj: Any, path: tuple, allowed: Iterable[str], required: Iterable[str] = (),
               what: str = "mapping") -> bool:
        """Whether obj is a mapping with every required key."""
        return super().fields(obj, path, allowed, required, what) == []

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
            self.add(path + (name,), f"'{name}' must be non-empty text; got {kind_of(value)}")
            return None
        return value

    def strings(self, obj: Any, path: tuple, what: str) -> list[str]:
        if not isinstance(obj, list) or not obj:
            self.add(path, f"'{what}' must be a non-empty list of text; got {kind_of(obj)}")
            return []
        out = []
        for i, item in enumerate(obj):
            if not isinstance(item, str) or not item.strip():
                self.add(path + (i,), f"'{what}' items must be text; got {kind_of(item)}")
            else:
                out.append(item)
        return out

    def regexes(self, obj: Any, path: tuple, what: str, build=None) -> tuple[list[tuple[int, str]], Any]:
        """The (index, pattern) items that compile, and what `build` makes of them (None without one).

        Compiling every item on its own doubles the load time, so `build` runs
        first and the items are tried one by one only when it fails, to say which.
        """
        items = list(enumerate(self.strings(obj, path, what) if obj is not None else []))
        if build is not None and items:
            try:
                return items, build(items)
            except re.error:
                pass
        found = []
        for i, item in items:
            try:
                if not _LITERAL.fullmatch(item):      # words and spaces always compile: most word-list items
                    re.compile(item, re.IGNORECASE)
            except re.error as exc:
                self.add(path + (i,), f"'{what}' pattern does not compile: {exc}")
                continue
            found.append((i, item))
        return found, (build(found) if build is not None and found else None)


_LITERAL = re.compile(r"[\w '-]+")


def _bounded(pattern: str) -> str:
    """A pattern that cannot start or end inside a word."""
    return rf"(?<![\w'])(?:{pattern})(?!\w)"


def _parts(patterns: list[str], rule: str) -> tuple[Part, ...]:
    """Each pattern compiled on its own: case-folded for the lower-cased text when it can be, as written
    (IGNORECASE) when it minds case (a capital for a place name).

    Python's re scans lower-case literals far faster than IGNORECASE ones,
    and the check runs on every line the engine returns.
    """
    parts = []
    for order, pattern in enumerate(patterns):
        lowered = lower_literals(pattern)  # `word_matches` bounds its start: a lookbehind first is slow
        regex = re.compile(rf"(?:{lowered})(?!\w)") if lowered else re.compile(rf"(?:{pattern})(?!\w)", re.IGNORECASE)
        parts.append(Part(regex, lowered is not None, needs(_bounded(pattern)), order, rule))
    return tuple(parts)


def lower_literals(pattern: str) -> str | None:
    """Lower-case a pattern's literals, leaving escapes (\\W, \\S, \\B ...) and group names alone."""
    if "(?-i" in pattern or "(?i" in pattern:
        return None
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif pattern.startswith(("(?P<", "(?P="), i):
            end = pattern.index(">" if pattern[i + 3] == "<" else ")", i)
            out.append(pattern[i:end + 1])
            i = end + 1
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


def quick_search(regex: re.Pattern):
    """A test of `regex.search(text)` as a bool, twice as quick for an IGNORECASE pattern on ASCII text (nearly
    all): its lower-cased copy, without IGNORECASE, on the lower-cased text matches exactly where it would."""
    lowered = lower_literals(regex.pattern) if regex.flags & re.IGNORECASE else None
    if lowered is None:
        return lambda text: regex.search(text) is not None
    quick = re.compile(lowered, regex.flags & ~re.IGNORECASE)
    return lambda text: (quick.search(text.lower()) if text.isascii() else regex.search(text)) is not None


def _rule(c: _Collector, obj: Any, path: tuple) -> Rule | None:
    if not isinstance(obj, dict):
        c.add(path, f"expected a rule (a mapping); got {kind_of(obj)}")
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
    flags = {}
    for name in ("waived_when_said", "waived_when_asked", "waived_when_answered"):
        flags[name] = obj.get(name, False)
        if not isinstance(flags[name], bool):
            c.add(path + (name,), f"'{name}' must be true or false; got {kind_of(flags[name])}")
    examples = _examples(c, obj.get("examples"), path + ("examples",)) if "examples" in obj else {}
    if not (complete and kind and severity and rewrite and rule_id and message and examples):
        return None
    rule = Rule(id=rule_id, kind=kind, severity=severity, message=message, file=c.doc.file,
                line=c.doc.where(path)[0], link=c.text(obj, path, "link"), source=c.text(obj, path, "source"),
                rewrite=rewrite, waived_when_said=flags["waived_when_said"] is True,
                waived_when_asked=flags["waived_when_asked"] is True,
                waived_when_answered=flags["waived_when_answered"] is True, examples=examples)
    before = len(c.problems)
    {"phrase": _phrase, "held-data": _held_data, "sensitive": _sensitive, "answer": _answer}[kind](c, obj, path, rule)
    if kind == "answer":
        for what in ("flag", "pass"):
            for i, example in enumerate(examples[what]):
                if ANSWER_EXAMPLE not in example:
                    c.add(path + ("examples", what, i), f"an answer rule's example reads 'what the customer said"
                                                        f"{ANSWER_EXAMPLE}what staff said'; got {example!r}")
    return rule if len(c.problems) == before else None


def _examples(c: _Collector, obj: Any, path: tuple) -> dict:
    if not c.fields(obj, path, ("flag", "pass"), ("flag", "pass"), "mapping of flag and pass examples"):
        return {}
    flag, ok = c.strings(obj["flag"], path + ("flag",), "flag"), c.strings(obj["pass"], path + ("pass",), "pass")
    return {"flag": flag, "pass": ok} if flag and ok else {}


def _phrase(c: _Collector, obj: dict, path: tuple, rule: Rule) -> None:
    def build(items: list) -> tuple:
        whole = _bounded("|".join("(?:" + pattern.replace("(?P<hit>", f"(?P<hit{i}>") + ")" for i, pattern in items))
        return whole, _parts([f"(?:{pattern})" for _, pattern in items], rule.id), \
            tuple(f"hit{i}" for i, pattern in items if "(?P<hit>" in pattern)

    words = _word_lists(c, obj.get("words"), path + ("words",)) if "words" in obj else {}
    patterns = _with_words(c, obj.get("patterns"), path + ("patterns",), words)
    _, built = c.regexes(patterns, path + ("patterns",), "patterns", build)
    if built:
        rule.pattern, rule.parts, rule.hit_groups = built
    if "unless" in obj:
        unless = _with_words(c, obj["unless"], path + ("unless",), words)
        rule.unless = tuple(re.compile(p, re.IGNORECASE) for _, p in c.regexes(unless, path + ("unless",), "unless")[0])
    if "said_as" in obj:
        said_as, where = obj["said_as"], path + ("said_as",)
        if not isinstance(said_as, dict) or not said_as:
            c.add(where, f"'said_as' must be a mapping of a word to the customer's words; got {kind_of(said_as)}")
            return
        for word, kin in said_as.items():
            if not isinstance(word, str) or not re.fullmatch(r"[a-z]+", word):
                c.add(where + (word,), f"'said_as' keys must be one lower-case word; got {word!r}", key=True)
                continue
            rule.said_as[word] = tuple(w.lower() for w in c.strings(kin, where + (word,), word))


_WORD_LIST = re.compile(r"\{([a-z_]+)\}")     # '{sources}' in a pattern; a regex's own braces hold digits


def _word_lists(c: _Collector, obj: Any, path: tuple) -> dict[str, str]:
    """A phrase rule's named word lists, each as one alternation for patterns to use as '{name}'."""
    if not isinstance(obj, dict) or not obj:
        c.add(path, f"'words' must map a name to a list of words; got {kind_of(obj)}")
        return {}
    out = {}
    for name, items in obj.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_]+", name):
            c.add(path + (name,), f"word list name '{name}' must be lower-case letters and '_'", key=True)
            continue
        found, _ = c.regexes(items, path + (name,), name)
        if found:
            out[name] = "(?:" + "|".join(item for _, item in found) + ")"
    return out


def _with_words(c: _Collector, patterns: Any, path: tuple, words: dict[str, str]) -> Any:
    """The patterns with each '{name}' replaced by that word list; a name the rule lacks is a problem."""
    if not isinstance(patterns, list):
        return patterns
    out = []
    for i, pattern in enumerate(patterns):
        if isinstance(pattern, str):
            for name in _WORD_LIST.findall(pattern):
                if name not in words:
                    c.add(path + (i,), f"pattern uses '{{{name}}}' but the rule has no word list '{name}'")
            pattern = _WORD_LIST.sub(lambda m: words.get(m.group(1), m.group(0)), pattern)
        out.append(pattern)
    return out


def _held_data(c: _Collector, obj: dict, path: tuple, rule: Rule) -> None:
    lex = obj.get("lexicon")
    where = path + ("lexicon",)
    if not c.fields(lex, where, LEXICON_KEYS, LEXICON_KEYS, "lexicon"):
        return
    out: dict = {}
    for name in LEXICON_KEYS:
        if name == "time":
            _, out[name] = c.regexes(lex[name], where + (name,), name, _compile_time)
        else:
            out[name] = frozenset(w.lower() for w in c.strings(lex[name], where + (name,), name))
    if out.get("holding_nouns"):
        out["holding_re"] = re.compile(rf"\b{_NUMBER}\s+(?:[\w-]+\s+){{0,2}}(?:{'|'.join(sorted(out['holding_nouns']))})\b")
    rule.lexicon = out


def _compile_time(items: list) -> re.Pattern:
    """The time phrases, matched against lower-cased clauses (case-folded when that means the same)."""
    pattern = _bounded("|".join(f"(?:{p})" for _, p in items))
    folded = lower_literals(pattern)
    return re.compile(folded) if folded else re.compile(pattern, re.IGNORECASE)


def _sensitive(c: _Collector, obj: dict, path: tuple, rule: Rule) -> None:
    cats = obj.get("categories")
    where = path + ("categories",)
    if not isinstance(cats, dict) or not cats:
        c.add(where, f"'categories' must be a mapping of category to terms and cues; got {kind_of(cats)}")
        return
    parts, one_by_one = [], []
    for name, spec in cats.items():
        if not re.fullmatch(r"[a-z_]+", name):
            c.add(where + (name,), f"category '{name}' must be lower-case letters and '_'", key=True)
            continue
        if not c.fields(spec, where + (name,), CATEGORY_KEYS, ("terms", "cues"), "category"):
            continue
        terms = c.regexes(spec["terms"], where + (name, "terms"), "terms", lambda items: re.compile(
            "|".join(f"(?:{t})" for _, t in items), re.IGNORECASE))[0]
        cues = spec["cues"]
        if not isinstance(cues, list) or not all(isinstance(w, str) for w in cues):
            c.add(where + (name, "cues"), f"'cues' must be a list of words; got {kind_of(cues)}")
            continue
        rule.categories[name] = tuple(w.lower() for w in cues)
        if terms:
            parts.append(f"(?P<cat_{name}>" + "|".join(f"(?:{t})" for _, t in terms) + ")")
            one_by_one.extend(f"(?P<cat_{name}>{t})" for _, t in terms)   # a term alone: re skips to its letters
    if parts:
        rule.pattern, rule.parts = _bounded("|".join(parts)), _parts(one_by_one, rule.id)
    if "openers" in obj:
        words = c.strings(obj["openers"], path + ("openers",), "openers")
        if words:
            rule.openers = re.compile(r"^\W*(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def _answer(c: _Collector, obj: dict, path: tuple, rule: Rule) -> None:
    def build(items: list) -> re.Pattern:
        return re.compile("|".join(f"(?:{p})" for _, p in items), re.IGNORECASE)

    for name in ("asking", "volunteers"):
        _, built = c.regexes(obj.get(name), path + (name,), name, build)
        setattr(rule, name, built)
    rule.frame_words = frozenset(w.lower() for w in c.strings(obj.get("frame_words"), path + ("frame_words",),
                                                               "frame_words"))
    groups = obj.get("same_thing", [])
    if not isinstance(groups, list):
        c.add(path + ("same_thing",), f"'same_thing' must be a list of word lists; got {kind_of(groups)}")
        groups = []
    rule.same_thing = tuple(frozenset(w.lower() for w in c.strings(g, path + ("same_thing", i), "same_thing"))
                            for i, g in enumerate(groups))
    shapes = obj.get("answer_shapes", {})
    if not isinstance(shapes, dict):
        c.add(path + ("answer_shapes",), f"'answer_shapes' must be a mapping of name to asks and answers; "
                                         f"got {kind_of(shapes)}")
        shapes = {}
    built_shapes = []
    for name, shape in shapes.items():
        where = path + ("answer_shapes", name)
        if not c.fields(shape, where, ("asks", "answers"), ("asks", "answers"), "shape"):
            continue
        _, asks = c.regexes(shape["asks"], where + ("asks",), "asks", build)
        _, answers = c.regexes(shape["answers"], where + ("answers",), "answers", build)
        if asks is not None and answers is not None:
            built_shapes.append((str(name), asks, answers))
    rule.answer_shapes = tuple(built_shapes)


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
        c.add(("rules",), f"'rules' must be a non-empty list; got {kind_of(raw)}")
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
    """A valid rule set, or PhrasebookError listing every problem; from the cache (tact.bookcache) when a fresh
    process reads the same files with the same code."""
    paths = list(paths) if paths else None
    try:
        sources = [(str(path), path.read_bytes()) for path in rule_files(paths)]
    except OSError:
        return _load_rules(paths)
    return bookcache.remembered("check-rules", sources, lambda: _load_rules(paths))


def _load_rules(paths: list | None) -> list[Rule]:
    rules, problems = collect_rules(paths)
    if problems:
        raise PhrasebookError(problems)
    return rules


# ---------------------------------------------------------------- text helpers

