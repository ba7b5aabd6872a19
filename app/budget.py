"""The work budget of one render: time, steps, characters and the size of every value.

Each sandboxed operation is cheap on its own; a template combines them (loops
inside loops, products of products, macros calling macros), so every render
and condition gets one budget for all of it. Sizes are checked before a value
is computed, since a single C call (a string product, an integer power, a `%`
format) cannot be interrupted once started.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import wraps
from typing import Any, Iterable, Iterator

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.visitor import NodeTransformer

MAX_OUTPUT = 1000            # characters a rendered phrasing may hold
MAX_TEMPLATE = 4000          # characters of template source
MAX_VALUE = 10_000           # characters any value made in a template may print as, nested items counted
MAX_WORK_CHARS = 20_000      # characters produced in one render, inside loops and macros included
MAX_STEPS = 5_000            # loop iterations plus calls (macros, filters, range), across all nesting
MAX_DEPTH = 20               # macros calling macros
MAX_INT_BITS = 1024          # largest integer a template may make (about 308 digits)
MAX_WIDTH = 100              # largest width or precision in a `%` format, or digits in round()
MAX_RANGE = 100              # longest range() a template may build
MAX_WORD = 200               # longest text inflect is asked to pluralise (its cost grows with the square)
TIME_LIMIT = 0.050           # seconds of the rendering thread's CPU time
# CPU time, not wall-clock: a busy server delays a render without making it fail, while a
# template that computes is still stopped within the limit.
_clock = time.thread_time


class BudgetExceeded(SecurityError):
    """A template went over its budget; the message names the limit, never a value."""


class Budget:
    """What one render may still spend."""

    __slots__ = ("deadline", "steps", "chars", "depth")

    def __init__(self, seconds: float = TIME_LIMIT):
        self.deadline = _clock() + seconds
        self.steps = MAX_STEPS
        self.chars = MAX_WORK_CHARS
        self.depth = 0

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise BudgetExceeded(f"more than {MAX_STEPS} loop steps and calls")
        self._in_time()

    def charge(self, chars: int) -> None:
        self.chars -= chars
        if self.chars < 0:
            raise BudgetExceeded(f"produced more than {MAX_WORK_CHARS} characters")
        self._in_time()

    def _in_time(self) -> None:
        if _clock() > self.deadline:
            raise BudgetExceeded(f"took longer than {TIME_LIMIT * 1000:.0f} ms")


_CURRENT: ContextVar[Budget | None] = ContextVar("tact_render_budget", default=None)


def start() -> Token:
    """Give the render about to run a fresh budget (per thread: concurrent renders never share one)."""
    return _CURRENT.set(Budget())


def stop(token: Token) -> None:
    _CURRENT.reset(token)


@contextmanager
def paused():
    """Time spent inside is not charged to the current render (a library loaded on first use)."""
    budget, started = _CURRENT.get(), _clock()
    try:
        yield
    finally:
        if budget is not None:
            budget.deadline += _clock() - started


def current() -> Budget | None:
    return _CURRENT.get()


# ---------------------------------------------------------------- sizes

def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """About how many characters value prints as, nested items counted every time they appear.

    Stops counting once past limit, so it costs at most O(limit) whatever the value.
    """
    if type(value) is str:
        return len(value)
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            if total <= limit:
                stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        else:
            total += 24
    return total


def check_size(value: Any) -> Any:
    """value, unless it would print as more than MAX_VALUE characters."""
    if weight(value) > MAX_VALUE:
        raise BudgetExceeded(f"a value longer than {MAX_VALUE} characters")
    return value


def _check_length(length: int, what: str) -> None:
    if length > MAX_VALUE:
        raise BudgetExceeded(f"{what} longer than {MAX_VALUE} characters")


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise BudgetExceeded(f"a number larger than {MAX_INT_BITS} bits")


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (str, list, tuple))


# `%` formats a template may use: plain conversions, an optional (name), small widths.
_PERCENT_SPEC = re.compile(r"%(?:%|(?:\(\w*\))?[-#0 +]*(\d*)(?:\.(\d*))?[hlL]?[diouxXeEfFgGcrsa])")


def check_percent_format(fmt: str) -> None:
    """Refuse a `%` format whose width or precision could make a huge string or a long computation."""
    for match in _PERCENT_SPEC.finditer(fmt):
        for digits in match.groups():
            if digits and (len(digits) > 3 or int(digits) > MAX_WIDTH):
                raise BudgetExceeded(f"a % format width or precision over {MAX_WIDTH}")
    if "%" in _PERCENT_SPEC.sub("", fmt):
        raise BudgetExceeded("a % format other than plain conversions (%s, %d, %.2f ...)")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an arithmetic or sequence operation whose result would be too large, before computing it."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if _is_sequence(seq) and _is_int(times):
                _check_length(weight(seq) * max(0, times), "a repeated text or list")
        if _is_int(left) and _is_int(right):
            _check_bits(left.bit_length() + right.bit_length())
    elif operator == "**":
        if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
            _check_bits(left.bit_length() * min(right, MAX_INT_BITS + 1))
    elif operator == "+":
        if _is_sequence(left) and _is_sequence(right):
            _check_length(weight(left) + weight(right), "a joined text or list")
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left)


# ---------------------------------------------------------------- filters

def bounded_filter(function):
    """A filter that spends a step and whose result is size-checked."""
    @wraps(function)   # keeps Jinja's pass_context / pass_eval_context mark
    def filtered(*args, **kwargs):
        budget = _CURRENT.get()
        if budget is not None:
            budget.step()
        return check_size(function(*args, **kwargs))
    return filtered


def replace_checked(replace):
    """Jinja's replace, refused when the result would be too long."""
    @wraps(replace)
    def checked(eval_ctx, s, old, new, count=None):
        text, old_text, new_text = str(s), str(old), str(new)
        hits = text.count(old_text) if old_text else len(text) + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        _check_length(len(text) + hits * max(0, len(new_text) - len(old_text)), "a replaced text")
        return replace(eval_ctx, s, old, new, count)
    return checked


def join_checked(join):
    """Jinja's join, refused when the items and separators together would be too long."""
    @wraps(join)
    def checked(eval_ctx, value, d="", attribute=None):
        items = list(value)
        _check_length(weight(items) + len(str(d)) * max(0, len(items) - 1), "a joined text")
        return join(eval_ctx, items, d, attribute)
    return checked


def round_checked(round_):
    """Jinja's round with the number of digits bounded (10 ** digits is computed for some methods)."""
    @wraps(round_)
    def checked(value, precision=0, method="common"):
        if not isinstance(precision, int) or abs(precision) > MAX_WIDTH:
            raise BudgetExceeded(f"round() to more than {MAX_WIDTH} digits")
        return round_(value, precision, method)
    return checked


def word_checked(function):
    """A word filter (inflect) refused on text longer than MAX_WORD: its cost grows with the square."""
    @wraps(function)
    def checked(word, *args, **kwargs):
        if len(str(word)) > MAX_WORD:
            raise BudgetExceeded(f"a word filter on more than {MAX_WORD} characters")
        return function(word, *args, **kwargs)
    return checked


# ---------------------------------------------------------------- runtime hooks

def steps(iterable: Iterable) -> Iterator:
    """A loop's items, each spending a step."""
    budget = _CURRENT.get()
    for item in iterable:
        if budget is not None:
            budget.step()
        yield item


def charge(chars: int) -> str:
    """Spend the characters of literal text written again by a loop or macro."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.charge(chars)
    return ""


def finalize(value: Any) -> Any:
    """Every `{{ ... }}` output: size-checked and charged."""
    size = weight(value)
    if size > MAX_VALUE:
        raise BudgetExceeded(f"a value longer than {MAX_VALUE} characters")
    budget = _CURRENT.get()
    if budget is not None:
        budget.charge(size)
    return value


def safe_range(*args: Any) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise BudgetExceeded(f"range() longer than {MAX_RANGE}")
    return r


# ---------------------------------------------------------------- the rewrite

class Metering(NodeTransformer):
    """Rewrites a parsed template so its work is metered.

    Loop items pass through `steps`; literal text inside loops and macros is
    charged each time it is written; list, tuple and dict literals and `~`
    concatenations are size-checked as they are made.
    """

    def __init__(self, environment):
        self.environment = environment
        self.repeating = 0

    def _hook(self, name: str, node: nodes.Node, *args: nodes.Expr) -> nodes.Call:
        call = nodes.Call(nodes.EnvironmentAttribute(name), list(args), [], None, None)
        call.set_lineno(node.lineno or 1)
        call.set_environment(self.environment)
        return call

    def _repeated(self, node: nodes.Node) -> nodes.Node:
        self.repeating += 1
        try:
            return self.generic_visit(node)
        finally:
            self.repeating -= 1

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self._repeated(node)
        node.iter = self._hook("budget_steps", node.iter, node.iter)
        return node

    visit_Macro = visit_CallBlock = _repeated

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        node = self.generic_visit(node)
        text = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        if self.repeating and text:
            const = nodes.Const(text)
            const.set_lineno(node.lineno or 1)
            node.nodes.insert(0, self._hook("budget_charge", node, const))
        return node

    def _sized(self, node: nodes.Expr) -> nodes.Node:
        node = self.generic_visit(node)
        if getattr(node, "ctx", "load") != "load":
            return node
        return self._hook("budget_size", node, node)

    visit_List = visit_Tuple = visit_Dict = visit_Concat = _sized
