"""The Jinja sandbox prompt templates render in: immutable, and on a time and size budget.

A user template is code. ``{% for i in range(99999) %}{% for j in range(99999) %}`` would loop
for hours and ``{{ 'a' * 10**9 }}`` would take a gigabyte, on every row of a batch. So each
render gets a budget (``render_budget``):

* time: every loop step and every call checks the render's deadline (``MAX_SECONDS``), and the
  loop steps of one render are counted (``MAX_STEPS``); a template with neither is straight-line
  code, bounded by its own length;
* size: ``*``, ``**``, ``+`` and ``%`` refuse to build a value over ``MAX_VALUE`` items (checked
  before the work where the size is known ahead), filter and call results are checked too, and
  integer arguments over ``MAX_VALUE`` are refused (``x|center(10**9)``); everything a template
  writes out, macro and ``{% set %}`` buffers included, counts towards ``MAX_OUTPUT``.

Going over raises ``BudgetExceeded``, which ``Template.render`` reports as a ``TemplateError``.
The caps are far above any real prompt (a product field may hold 16 MB of HTML) and far below
what hangs a machine. ``lipsum`` is left out: its size is an argument nobody needs in a prompt.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SECONDS = 3.0
MAX_STEPS = 2_000_000
MAX_VALUE = 20_000_000
MAX_OUTPUT = 50_000_000
_HUGE_WIDTH = re.compile(r"\d{8,}")  # a format width of 10**7 and more: "{:>99999999}", "%99999999d"


class BudgetExceeded(Exception):
    """A render went over its time or size budget."""


@dataclass
class _Budget:
    deadline: float
    steps: int = 0
    output: int = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise BudgetExceeded(f"more than {MAX_STEPS:,} loop steps")
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"rendering took more than {MAX_SECONDS:g} s")


_CURRENT: ContextVar[_Budget | None] = ContextVar("copyassist_render_budget", default=None)


@contextlib.contextmanager
def render_budget() -> Iterator[None]:
    """Renders inside the block share one budget, counted from now."""
    token = _CURRENT.set(_Budget(time.monotonic() + MAX_SECONDS))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _tick() -> None:
    budget = _CURRENT.get()
    if budget is not None:
        budget.tick()


_SIZED = (str, bytes, list, tuple, dict)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _check_size(value: Any, what: str) -> Any:
    if isinstance(value, _SIZED) and len(value) > MAX_VALUE:
        raise BudgetExceeded(f"{what} would make a value of {len(value):,} items (at most {MAX_VALUE:,})")
    return value


def _check_arguments(args: Iterable[Any], what: str) -> None:
    for value in args:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
            raise BudgetExceeded(f"{what}: argument {value} is over the size budget ({MAX_VALUE:,})")


def _check_width(template: Any) -> None:
    if isinstance(template, str) and _HUGE_WIDTH.search(template):
        raise BudgetExceeded("a format width over the size budget")


def _repeat_size(left: Any, right: Any) -> int:
    """How many items ``left * right`` makes when it repeats a sequence, else 0."""
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | bytes | list | tuple) and isinstance(times, int):
            return len(seq) * max(times, 0)
    return 0


def _power_too_big(base: Any, exponent: Any) -> bool:
    if not (isinstance(base, int) and isinstance(exponent, int)) or abs(base) < 2 or exponent < 0:
        return False
    return base.bit_length() * exponent > 4 * MAX_VALUE  # bits of the result


def _filter_with_budget(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    skip = 2 if getattr(function, "jinja_pass_arg", None) is not None else 1  # context/env, value

    def budgeted(*args: Any, **kwargs: Any) -> Any:
        _check_arguments([*args[skip:], *kwargs.values()], f"filter {name}")
        if name == "format" and len(args) >= skip:
            _check_width(args[skip - 1])
        return _check_size(function(*args, **kwargs), f"filter {name}")

    budgeted.__dict__.update(getattr(function, "__dict__", {}))  # keeps jinja_pass_arg
    return budgeted


class _CountingCodeGenerator(CodeGenerator):
    """Every value a template writes out passes through ``environment.counted``, every ``~``
    result through ``environment.capped``."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.capped(")
        super().visit_Concat(node, frame)
        self.write(")")

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.counted(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """``ImmutableSandboxedEnvironment`` on the budget of the current ``render_budget``."""

    code_generator_class = _CountingCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)
        self.filters = {name: _filter_with_budget(f, name) for name, f in self.filters.items()}

    def compile(
        self,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if isinstance(source, str):
            source = self.parse(source, name, filename)
        for loop in source.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("budgeted_loop"), [loop.iter], [], None, None)
        return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]

    @staticmethod
    def budgeted_loop(iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            _tick()
            yield item

    @staticmethod
    def capped(value: Any) -> Any:
        return _check_size(value, "'~'")

    @staticmethod
    def counted(text: str) -> str:  # always a str: the output of str() or escape()
        budget = _CURRENT.get()
        if budget is not None:
            budget.output += len(text)
            if budget.output > MAX_OUTPUT:
                raise BudgetExceeded(f"the template writes more than {MAX_OUTPUT:,} characters")
        return text

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _tick()
        if obj is not self.budgeted_loop:
            _check_arguments([*args, *kwargs.values()], f"call to {getattr(obj, '__name__', 'a function')}")
            method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps "{:>99999999}".format
            _check_width(getattr(method, "__self__", None))
        return _check_size(super().call(context, obj, *args, **kwargs), "a call")

    def call_binop(self, context: Context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*" and _repeat_size(left, right) > MAX_VALUE:
            raise BudgetExceeded(f"'*' would make a value of {_repeat_size(left, right):,} items")
        if operator_name == "**" and _power_too_big(left, right):
            raise BudgetExceeded(f"{left} ** {right} is over the size budget")
        if operator_name == "+" and _size(left) + _size(right) > MAX_VALUE:
            raise BudgetExceeded("'+' would make a value over the size budget")
        if operator_name == "%":
            _check_width(left)
        return _check_size(super().call_binop(context, operator_name, left, right), f"'{operator_name}'")
