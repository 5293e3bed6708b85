"""The modules of copyassist import each other without a circle.

The import-time graph holds the imports that run when a module is imported: those at module
level (inside ``if``, ``try`` or a class body too), not those inside functions or under
``if TYPE_CHECKING``. A circle there breaks imports. The full graph also holds those deferred
imports: a circle there is two modules that need each other, with the import moved out of
the way (``study`` and ``study_render`` were one).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "copyassist"


def module_names(root: Path) -> dict[str, Path]:
    """``{"copyassist.batch.store": path, ...}`` for every ``.py`` file under the package ``root``."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_statements(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _import_time_statements(node.body)
            yield from _import_time_statements(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _import_time_statements(block)
            for handler in node.handlers:
                yield from _import_time_statements(handler.body)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from _import_time_statements(node.body)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules ``node`` imports when ``module`` runs it."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    source = node.module or ""
    if node.level:
        base = module.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        source = ".".join([*base, node.module] if node.module else base)
    # ``from a import b`` imports the module a.b when there is one, else takes b from a
    return {f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names}


def import_graph(root: Path, *, deferred: bool = False) -> dict[str, set[str]]:
    """Module -> the package's own modules it imports at import time (and, if ``deferred``, in
    functions and under ``if TYPE_CHECKING``)."""
    modules = module_names(root)
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if deferred:
            nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        else:
            nodes = list(_import_time_statements(tree.body))
        targets: set[str] = set()
        for node in nodes:
            targets |= _imported(node, name, path.name == "__init__.py", known)
        graph[name] = {t for t in targets if t in known and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports as ``[a, b, ..., a]``, or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                found = visit(target)
                if found:
                    return found
        on_path.discard(path.pop())
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            found = visit(start)
            if found:
                return found
    return None


def test_copyassist_imports_without_a_circle() -> None:
    graph = import_graph(PACKAGE)
    assert {"copyassist.rules.validate", "copyassist.rules.base"} <= graph["copyassist.audit"]
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_no_circle_is_hidden_in_a_function_or_a_type_checking_import() -> None:
    cycle = find_cycle(import_graph(PACKAGE, deferred=True))
    assert cycle is None, "import circle through a deferred import: " + " -> ".join(cycle or [])


def test_the_check_sees_a_circle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("try:\n    from ..c import C\nexcept ImportError:\n    pass\n")
    (package / "c.py").write_text("import pkg.a\nclass C: ...\n")
    graph = import_graph(package)
    assert graph["pkg.a"] == {"pkg.sub.b"} and graph["pkg.sub.b"] == {"pkg.c"}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]


def test_imports_inside_functions_and_for_type_checking_do_not_count(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
    )
    (package / "b.py").write_text("def f():\n    from pkg import a\n    return a\n")
    graph = import_graph(package)
    assert graph == {"pkg": set(), "pkg.a": set(), "pkg.b": set()}
    assert find_cycle(graph) is None
    assert find_cycle(import_graph(package, deferred=True)) == ["pkg.a", "pkg.b", "pkg.a"]


# ------------------------------------------------------------------------------ start-up

ROOT = PACKAGE.parent
#: Libraries that take a noticeable share of a second to import (or need a native build): each
#: is imported where it is used, never by ``import copyassist``.
HEAVY = frozenset({"openai", "httpx", "llama_cpp", "py3langid", "rich", "nh3", "openpyxl", "numpy", "jinja2"})
#: What the CLI's ``--help`` may still load: rendering templates needs jinja2 and the batch
#: options' defaults come from modules that use it.
CLI_MAY_LOAD = frozenset({"jinja2"})
#: What ``batch --help`` loads today through ``copyassist.backends``, whose package module
#: imports the OpenAI backend and httpx at import time (a change there ends it: the test then
#: passes and its xfail, strict, says so).
THROUGH_BACKENDS = frozenset({"openai", "httpx", "rich"})
_REPORT = "import sys; print('\\nLOADED', sorted({m.split('.')[0] for m in sys.modules} & %r))"


def loaded_by(code: str) -> set[str]:
    """Which of :data:`HEAVY` a fresh interpreter has imported after running ``code``."""
    import os
    import subprocess
    import sys

    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{_REPORT % set(HEAVY)}"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.rsplit("\nLOADED ", 1)[-1]
    return set(ast.literal_eval(last.strip()))


def test_import_copyassist_loads_no_heavy_library() -> None:
    assert loaded_by("import copyassist") == set()


def test_a_public_name_loads_its_module_on_first_use() -> None:
    checks = loaded_by("import copyassist\ncopyassist.check")
    assert checks - THROUGH_BACKENDS - CLI_MAY_LOAD == set()  # no feed reader, no HTML cleaner
    assert "openai" in loaded_by("import copyassist\ncopyassist.OpenAIBackend")


def test_every_lazy_name_is_the_one_type_checkers_see() -> None:
    """``_LAZY_MODULES`` and the ``if TYPE_CHECKING`` imports of ``copyassist/__init__.py`` name
    the same (module, name) pairs: the two lists cannot drift apart."""
    import copyassist

    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    typed = {
        (node.module, alias.name)
        for block in tree.body
        if isinstance(block, ast.If) and _is_type_checking(block.test)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    lazy = {(module, name) for module, names in copyassist._LAZY_MODULES.items() for name in names}
    assert typed == lazy and len(lazy) > 50


_CLI_HELP = """
import sys
from copyassist.cli import main
sys.argv = ["copyassist", "batch", "--help"]
try:
    main()
except SystemExit as done:
    assert done.code == 0, done.code
"""


def test_batch_help_loads_no_heavy_library_but_those_of_the_backends_package() -> None:
    assert loaded_by(_CLI_HELP) - CLI_MAY_LOAD - THROUGH_BACKENDS == set()


def test_batch_help_loads_no_sdk() -> None:
    """The SDK and its HTTP client load with the first OpenAI backend, not for ``--help`` (rich
    may: typer draws the help with it)."""
    assert loaded_by(_CLI_HELP) & {"openai", "httpx"} == set()
