"""YAML read into plain data with every node's line and column kept.

PyYAML's composer gives marks; we build the values ourselves so that duplicate
keys are errors and alias bombs cannot expand without limit.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Iterable

import yaml

from .errors import Problem

MAX_FILE_BYTES = 1_000_000
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when the wheel has it: same marks, faster
MAX_NODES = 200_000

Path_ = tuple  # a path into the document: keys and indexes


@dataclass
class Located:
    """A YAML document's data plus where each part of it stands in the file."""

    file: str
    data: Any
    marks: dict = field(default_factory=dict)      # path -> (line, col) of the value
    key_marks: dict = field(default_factory=dict)  # path -> (line, col) of the mapping key
    lines: list = field(default_factory=list)

    def where(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of a path, falling back to the nearest enclosing node."""
        table = self.key_marks if key else self.marks
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), (1, 1))

    def source_line(self, line: int) -> str | None:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else None


class YamlProblem(Exception):
    def __init__(self, line: int, col: int, message: str):
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


# The plain scalars' own constructors, called directly: construct_object's bookkeeping (a table of every node it
# made, recursion guards) was a third of reading a phrasebook, and plain scalars need none of it.
_PLAIN_SCALARS = {tag: yaml.SafeLoader.yaml_constructors[tag] for tag in (
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null")}


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, doc: Located):
        self.doc = doc
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: tuple) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlProblem(*_mark(node), f"document too large (more than {MAX_NODES} values; aliases expanded)")
        self.doc.marks.setdefault(path, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            make = _PLAIN_SCALARS.get(node.tag)
            try:
                return make(self.constructor, node) if make else self.constructor.construct_object(node, deep=True)
            except yaml.YAMLError as exc:
                raise YamlProblem(*_mark(node), f"bad value: {exc}") from None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlProblem(*_mark(key_node), "merge keys ('<<') are not supported; write the fields out")
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem(*_mark(key_node), "a key must be plain text")
                key = self.constructor.construct_object(key_node)
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    line, _ = self.doc.key_marks[path + (key,)]
                    raise YamlProblem(*_mark(key_node), f"duplicate key '{key}' (first at line {line})")
                self.doc.key_marks[path + (key,)] = _mark(key_node)
                result[key] = self.build(value_node, path + (key,))
            return result
        raise YamlProblem(*_mark(node), "unsupported YAML node")


def read_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; raise YamlProblem with line and column on any failure."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise YamlProblem(1, 1, f"file larger than {MAX_FILE_BYTES} bytes")
    doc = Located(file=file, data=None, lines=text.splitlines())
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(line, col, f"YAML syntax: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, 1, f"YAML syntax: {exc}") from None
    if node is None:
        doc.data = None
        return doc
    doc.data = _Builder(doc).build(node, ())
    return doc


def kind_of(value: Any) -> str:
    """A YAML value's kind in a script writer's words, for error messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Collector:
    """Every problem in one YAML document, each placed at file:line:col with its source line."""

    rule = "yaml"

    def __init__(self, doc: Located):
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, *, key: bool = False, severity: str = "error",
            rule: str | None = None, offset: tuple[int, int] | None = None) -> None:
        line, col = self.doc.where(path, key=key)
        if offset:
            line, col = line + offset[0], (offset[1] if offset[0] else col + offset[1])
        self.problems.append(Problem(self.doc.file, line, col, severity, message, rule or self.rule,
                                     self.doc.source_line(line)))

    def fields(self, obj: Any, path: tuple, allowed: Iterable[str], required: Iterable[str] = (),
               what: str = "mapping") -> list[str] | None:
        """Unknown keys (with a did-you-mean) and missing ones; None when obj is not a mapping, else what is missing."""
        if not isinstance(obj, dict):
            self.add(path, f"expected a {what}; got {kind_of(obj)}")
            return None
        allowed = tuple(allowed)
        for name in obj:
            if name not in allowed:
                close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(allowed)}"
                self.add(path + (name,), f"unknown key '{name}'{hint}", key=True)
        missing = [name for name in required if name not in obj]
        for name in missing:
            self.add(path, f"missing required key '{name}'")
        return missing
