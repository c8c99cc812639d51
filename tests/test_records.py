"""``vaultlint.records.dataclass`` behaves as the standard library's ``dataclass``.

Each case builds the same class with both and compares what a user of the class
can see: construction, defaults, ``repr``, equality, ordering, hashing, frozen
fields, pickling, ``dataclasses.replace``/``fields``/``asdict`` and the class's
recorded parameters.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import itertools
import pickle
import re
import sys
from pathlib import Path

import pytest

from vaultlint import records

OPTIONS = [
    dict(zip(("frozen", "slots", "eq", "order", "repr"), values))
    for values in itertools.product((False, True), repeat=5)
    if values[2] or not values[3]  # order needs eq
]


def _name(options: dict) -> str:
    return ",".join(name for name, on in options.items() if on) or "plain"


def make(decorate, post_init: bool = False):
    """A class with a required field, a default and a default factory."""

    class Point:
        """A point."""

        x: int
        y: str = "y"
        tags: list = dataclasses.field(default_factory=list)

        if post_init:

            def __post_init__(self):
                object.__setattr__(self, "x", self.x * 2)

    Point.__module__ = __name__
    return decorate(Point)


def pair(options: dict, post_init: bool = False):
    ours = make(records.dataclass(**options), post_init)
    theirs = make(dataclasses.dataclass(**options), post_init)
    return ours, theirs


def shown(item, options: dict) -> str:
    """The repr, or the class's name and field values where it has the default one."""
    return repr(item) if options["repr"] else f"{type(item).__qualname__}{dataclasses.astuple(item)}"


def outcome(action):
    """What an action gives, or the type and message of what it raises."""
    try:
        return ("value", action())
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        return ("raises", type(error), str(error))


@pytest.mark.parametrize("options", OPTIONS, ids=_name)
def test_instances_behave_as_the_standard_librarys(options):
    ours, theirs = pair(options)
    a, b = ours(1, "a", [1]), theirs(1, "a", [1])
    assert [f.name for f in dataclasses.fields(a)] == [f.name for f in dataclasses.fields(b)]
    assert dataclasses.asdict(a) == dataclasses.asdict(b)
    assert shown(a, options) == shown(b, options)
    assert shown(ours(2), options) == shown(theirs(2), options)
    assert ours(2).tags is not ours(2).tags  # a fresh default each time
    others = [(ours(1, "a", [1]), theirs(1, "a", [1])), (ours(2, "a"), theirs(2, "a")), (ours(1, "b"), theirs(1, "b"))]
    for ours_other, theirs_other in others:
        assert (a == ours_other) == (b == theirs_other)
        assert (a != ours_other) == (b != theirs_other)
        for operator in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert outcome(lambda: getattr(a, operator)(ours_other)) == outcome(lambda: getattr(b, operator)(theirs_other))
    assert a.__eq__(1) is b.__eq__(1)  # NotImplemented for another type, or identity's answer
    assert (ours.__hash__ is None) == (theirs.__hash__ is None)
    if ours.__hash__ is not None and options["frozen"] and options["eq"]:
        assert outcome(lambda: hash(a)) == outcome(lambda: hash(b))  # a list field: unhashable alike
        assert hash(ours(1, "a", ())) == hash(theirs(1, "a", ()))
    assert shown(dataclasses.replace(a, y="z"), options) == shown(dataclasses.replace(b, y="z"), options)
    assert shown(copy.copy(a), options) == shown(copy.copy(b), options)
    assert outcome(lambda: setattr(ours(1), "x", 5)) == outcome(lambda: setattr(theirs(1), "x", 5))
    assert outcome(lambda: delattr(ours(1), "y")) == outcome(lambda: delattr(theirs(1), "y"))
    if options["frozen"] and options["slots"]:
        # Python 3.11's own refuses a new attribute with a TypeError from super(): its
        # __setattr__ names the class as it was before the slots made it anew.
        assert outcome(lambda: setattr(ours(1), "other", 5))[:2] == ("raises", dataclasses.FrozenInstanceError)
    else:
        assert outcome(lambda: setattr(ours(1), "other", 5)) == outcome(lambda: setattr(theirs(1), "other", 5))
    assert hasattr(ours, "__slots__") == hasattr(theirs, "__slots__")
    assert getattr(ours, "__slots__", None) == getattr(theirs, "__slots__", None)
    assert ours.__match_args__ == theirs.__match_args__
    for flag in ("init", "repr", "eq", "order", "frozen"):
        assert getattr(ours.__dataclass_params__, flag) == getattr(theirs.__dataclass_params__, flag)


@pytest.mark.parametrize("options", OPTIONS, ids=_name)
def test_pickling_round_trips_as_the_standard_librarys(options, monkeypatch):
    ours, _ = pair(options)
    monkeypatch.setattr(sys.modules[__name__], "Point", ours, raising=False)
    ours.__qualname__ = "Point"
    point = ours(3, "p", [1, 2])
    again = pickle.loads(pickle.dumps(point))
    assert type(again) is ours
    assert dataclasses.astuple(again) == dataclasses.astuple(point) == (3, "p", [1, 2])


@pytest.mark.parametrize("options", OPTIONS, ids=_name)
def test_the_signature_and_post_init_are_the_standard_librarys(options):
    ours, theirs = pair(options, post_init=True)
    assert shown(ours(3), options) == shown(theirs(3), options)  # __post_init__ ran: x doubled
    assert ours(3).x == 6
    ours_parameters = inspect.signature(ours).parameters
    theirs_parameters = inspect.signature(theirs).parameters
    assert list(ours_parameters) == list(theirs_parameters)
    assert ours_parameters["y"].default == theirs_parameters["y"].default == "y"
    assert ours_parameters["x"].default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        ours()
    with pytest.raises(TypeError):
        ours(1, "a", [], "extra")


def test_methods_written_in_the_class_are_kept():
    def decorate(cls):
        cls.__repr__ = lambda self: "mine"
        cls.__eq__ = lambda self, other: True
        return records.dataclass(frozen=True)(cls)

    Point = make(decorate)
    assert repr(Point(1)) == "mine"
    assert Point(1) == Point(2)


def test_a_class_that_defines_its_hash_keeps_it():
    @records.dataclass(frozen=True)
    class Named:
        name: str

        def __hash__(self):
            return 7

    assert hash(Named("a")) == 7


def test_a_recursive_repr_stops():
    @records.dataclass
    class Box:
        inside: list

    box = Box([])
    box.inside.append(box)
    assert repr(box) == "test_a_recursive_repr_stops.<locals>.Box(inside=[...])"


def test_a_subclass_adds_its_fields_after_its_parents():
    @records.dataclass(frozen=True, slots=True)
    class Base:
        a: int

    @records.dataclass(frozen=True, slots=True)
    class Child(Base):
        b: int = 2

    child = Child(1)
    assert (child.a, child.b) == (1, 2)
    assert child != Base(1)
    assert repr(child).endswith("Child(a=1, b=2)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        child.a = 3

    @dataclasses.dataclass(frozen=True)
    class Theirs(Child):  # a plugin's class, made by the standard decorator
        c: int = 3

    assert Theirs(1).c == 3
    with pytest.raises(TypeError, match="non-frozen"):
        records.dataclass(Child.__mro__[0].__class__("Mutable", (Child,), {"__annotations__": {"d": "int"}}))


def test_options_it_does_not_handle_go_to_the_standard_dataclass():
    @records.dataclass(frozen=True, kw_only=True)
    class KeywordOnly:
        a: int

    with pytest.raises(TypeError):
        KeywordOnly(1)
    assert KeywordOnly(a=1) == KeywordOnly(a=1)

    @records.dataclass(unsafe_hash=True)
    class Hashed:
        a: int

    assert hash(Hashed(1)) == hash(Hashed(1))


def _unhandled_classes(decorate):
    @decorate
    class WithInitVar:
        a: int
        scale: dataclasses.InitVar[int] = 1
        tags: list = dataclasses.field(default_factory=list)

        def __post_init__(self, scale):
            self.a *= scale

    @decorate
    class NotInInit:
        a: int
        b: list = dataclasses.field(default_factory=list, init=False)

    @decorate
    class KeywordField:
        a: int
        b: int = dataclasses.field(default=2, kw_only=True)

    @decorate
    class AfterKwOnly:
        a: int
        _: dataclasses.KW_ONLY
        b: int = 3

    return [WithInitVar(2, 3), WithInitVar(2), NotInInit(1), KeywordField(1, b=5), AfterKwOnly(1, b=4)]


def test_fields_it_does_not_handle_behave_as_with_the_standard_library():
    ours = _unhandled_classes(records.dataclass(slots=True))
    theirs = _unhandled_classes(dataclasses.dataclass(slots=True))
    assert [repr(item).split(".")[-1] for item in ours] == [repr(item).split(".")[-1] for item in theirs]
    assert [dataclasses.astuple(item) for item in ours] == [dataclasses.astuple(item) for item in theirs]
    plain = _unhandled_classes(records.dataclass)
    assert [dataclasses.astuple(item) for item in plain] == [dataclasses.astuple(item) for item in theirs]


def test_order_without_eq_is_refused_as_by_the_standard_library():
    with pytest.raises(ValueError):
        records.dataclass(order=True, eq=False)(type("Broken", (), {"__annotations__": {"a": "int"}}))


def test_the_package_builds_its_dataclasses_with_records():
    """The standard decorator compiles every method on its own: a third of the import time."""
    package = Path(records.__file__).parent
    standard = re.compile(r"^from dataclasses import .*\bdataclass\b|@dataclasses\.dataclass", re.M)
    offenders = [str(path.relative_to(package)) for path in package.rglob("*.py") if standard.search(path.read_text(encoding="utf-8")) and path != Path(records.__file__)]
    assert offenders == []
