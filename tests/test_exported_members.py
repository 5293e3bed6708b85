"""The public API is honest: ``__all__`` lists every public name of ``copyassist``, sorted, and
a type named in an exported signature (or field, method or property) can be imported from
``copyassist`` too. Deprecated names still work, with a warning, and shadow no builtin."""

from __future__ import annotations

import builtins
import importlib
import inspect
import sys
import typing
import warnings
from collections.abc import Iterator
from types import ModuleType

import pytest

import copyassist
from copyassist import errors
from copyassist.batch.settings import BatchSettings


def public_names(module: ModuleType) -> list[str]:
    """The names a user reaches as ``module.<name>``; submodules are reached by import."""
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    )


def test_all_lists_every_public_name_sorted() -> None:
    for name in copyassist.__all__:  # names load on first use: load them all
        getattr(copyassist, name)
    assert copyassist.__all__ == public_names(copyassist)


def _types_in(hint: object) -> Iterator[type]:
    yield from (hint,) if isinstance(hint, type) else ()
    for arg in typing.get_args(hint):
        yield from _types_in(arg)
    origin = typing.get_origin(hint)
    if isinstance(origin, type):
        yield origin


def _signatures(name: str, value: object) -> Iterator[tuple[str, dict[str, object]]]:
    """``(where, type hints)`` for a function, or for a class: its fields, ``__init__``, and
    its public methods and properties (but not those it inherits from pydantic or the stdlib)."""
    yield name, typing.get_type_hints(value)
    if not inspect.isclass(value):
        return
    for member in dir(value):
        owner = next((c for c in value.__mro__ if member in vars(c)), object)
        ours = owner.__module__ == value.__module__ or owner.__module__.startswith("copyassist")
        if (member.startswith("_") and member != "__init__") or not ours:
            continue
        static = vars(owner)[member]
        function = static.fget if isinstance(static, property) else getattr(value, member)
        written_here = getattr(function, "__module__", None) == owner.__module__  # not pydantic's
        if (inspect.isfunction(function) or inspect.ismethod(function)) and written_here:
            yield f"{name}.{member}", typing.get_type_hints(function)


def _exported(kind: type) -> bool:
    return kind.__name__ in copyassist.__all__ and getattr(copyassist, kind.__name__) is kind


def unexported_types(objects: dict[str, object]) -> dict[str, list[str]]:
    """copyassist's own types named in these objects' signatures that ``copyassist`` does not
    export, each with where it is named."""
    missing: dict[str, list[str]] = {}
    for name, value in objects.items():
        if not callable(value):
            continue
        for where, hints in _signatures(name, value):
            for parameter, hint in hints.items():
                for kind in _types_in(hint):
                    if kind.__module__.startswith("copyassist") and not _exported(kind):
                        key = f"{kind.__module__}.{kind.__qualname__}"
                        missing.setdefault(key, []).append(f"{where} ({parameter})")
    return missing


def test_exported_signatures_name_only_exported_types() -> None:
    exported = {name: getattr(copyassist, name) for name in copyassist.__all__}
    assert unexported_types(exported) == {}


def test_the_signature_check_sees_an_unexported_type() -> None:
    def run(settings: BatchSettings) -> list[BatchSettings]:
        return [settings]

    class Job:
        @property
        def settings(self) -> BatchSettings | None:
            return None

    missing = unexported_types({"run": run, "Job": Job})
    assert missing == {
        "copyassist.batch.settings.BatchSettings": ["run (settings)", "run (return)", "Job.settings (return)"]
    }


def test_no_exported_name_shadows_a_builtin() -> None:
    assert set(copyassist.__all__) & set(dir(builtins)) == set()
    assert set(public_names(errors)) & set(dir(builtins)) == set()


@pytest.mark.parametrize(
    ("old", "new", "builtin"),
    [
        ("TimeoutError", errors.ProviderTimeoutError, builtins.TimeoutError),
        ("ConnectionError", errors.ProviderConnectionError, builtins.ConnectionError),
    ],
)
@pytest.mark.parametrize("module", [copyassist, errors], ids=["copyassist", "errors"])
def test_old_error_names_are_deprecated_aliases(
    module: ModuleType, old: str, new: type[errors.BackendError], builtin: type[Exception]
) -> None:
    message = f"{module.__name__}.{old} is deprecated: use {module.__name__}.{new.__name__}"
    with pytest.warns(DeprecationWarning, match=message):
        alias = getattr(module, old)
    assert alias is new and issubclass(new, builtin)
    with pytest.warns(DeprecationWarning):
        try:
            raise new("the server did not answer")
        except getattr(module, old) as caught:  # the old ``except`` clauses still catch
            assert isinstance(caught, new)
    assert old not in copyassist.__all__


def test_from_import_of_an_old_name_warns_at_the_importing_line() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from copyassist.errors import TimeoutError as OldTimeoutError
    assert OldTimeoutError is errors.ProviderTimeoutError
    assert [w.category for w in caught] == [DeprecationWarning]
    assert caught[0].filename == __file__


def test_unknown_names_are_still_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'TimeoutErrors'"):
        _ = copyassist.TimeoutErrors  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = errors.Nope  # type: ignore[attr-defined]


def test_no_exported_function_shadows_a_submodule_of_its_name() -> None:
    """``copyassist.generate`` stays the function once every submodule has been imported."""
    import pkgutil

    for info in pkgutil.walk_packages(copyassist.__path__, "copyassist."):
        if not info.name.endswith("__main__"):  # running it would start the CLI
            importlib.import_module(info.name)
    submodules = {name.split(".")[1] for name in sys.modules if name.startswith("copyassist.")}
    assert {"pipeline", "cli", "feeds"} <= submodules
    shadowed = sorted(n for n in copyassist.__all__ if n in submodules)
    assert shadowed == []
    assert callable(copyassist.generate) and not isinstance(copyassist.generate, ModuleType)
