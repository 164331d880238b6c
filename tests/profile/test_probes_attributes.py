"""What the child-side array scanner records of arrays held as attributes (`probes.attribute_values`):
instances of the script's own classes, two levels deep, read from `__dict__` without running user code."""

from __future__ import annotations

import types

import numpy as np

from optadvise.profiling.probes import ArrayScanner, attribute_values


def script_classes() -> types.SimpleNamespace:
    """Classes defined as a script's are: in the `__main__` module."""
    ns: dict[str, object] = {"__name__": "__main__", "np": np}
    exec("""
class Grid:
    def __init__(self):
        self.u = np.zeros((4, 5))
class Model:
    def __init__(self):
        self.x = np.ones(3)
        self.grid = Grid()
        self.name = "m"
class Lazy:
    def __init__(self):
        self.x = np.ones(3)
    def __getattr__(self, name):
        raise AssertionError("the scanner ran __getattr__")
    @property
    def y(self):
        raise AssertionError("the scanner ran a property")
class Slotted:
    __slots__ = ("x",)
    def __init__(self):
        self.x = np.ones(3)
""", ns)
    return types.SimpleNamespace(**{k: v for k, v in ns.items() if isinstance(v, type)})


def test_arrays_of_the_script_objects_are_recorded_under_dotted_names() -> None:
    c = script_classes()
    scanner = ArrayScanner("s.py")
    scanner.scan_namespace({"self": c.Model(), "k": 3}, "Model.run", args={"self"})
    seen = {name: info for (function, name), info in scanner.arrays.items() if function == "Model.run"}
    assert sorted(seen) == ["self.grid.u", "self.x"]
    assert seen["self.grid.u"].shape == (4, 5) and seen["self.x"].is_argument


def test_hooks_and_properties_never_run_and_slots_are_skipped() -> None:
    c = script_classes()
    assert [k for k, _ in attribute_values("obj", c.Lazy())] == ["obj.x"]
    assert attribute_values("obj", c.Slotted()) == []


def test_objects_of_other_modules_are_not_opened() -> None:
    holder = types.SimpleNamespace(x=np.ones(3))  # a library object: its attributes are its own business
    assert attribute_values("obj", holder) == []
