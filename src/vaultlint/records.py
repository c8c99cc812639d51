"""``dataclass`` as the standard library's, with the methods made without compiling each.

Python 3.11 and 3.12 compile every method a dataclass gets (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, a frozen class's ``__setattr__`` and
``__delattr__``, the order methods) from its own source string, one ``exec``
each: for vaultlint's 70-odd dataclasses that was a third of its import time,
which every pre-commit run pays. This ``dataclass`` lets the standard one lay out
the fields (and slots), compiles ``__init__`` alone, as it runs for every object,
and makes the others from closures over the field names, with the same behaviour.
From Python 3.13, which compiles a class's methods at once, it is the standard one.

A frozen slotted class's ``__init__`` sets each field through its slot's
descriptor rather than ``object.__setattr__``: half the cost, and the parser
builds tens of thousands of spans and links per thousand notes.

Options and fields it does not handle (``unsafe_hash``, ``kw_only``, ``InitVar``,
fields with ``init=False``, a ``weakref_slot``, ``match_args=False``) go to the
standard ``dataclass`` as they are.
"""

from __future__ import annotations

import dataclasses
import operator
import sys
from reprlib import recursive_repr
from types import MemberDescriptorType

_STANDARD = sys.version_info >= (3, 13)
# The sentinel standing for "call the default factory" in a generated ``__init__``.
_HAS_FACTORY = object()


def dataclass(cls=None, /, *, init=True, repr=True, eq=True, order=False, unsafe_hash=False, frozen=False, **options):
    """:func:`dataclasses.dataclass`, with the same options."""

    def wrap(cls):
        return _dataclass(cls, init, repr, eq, order, unsafe_hash, frozen, options)

    return wrap if cls is None else wrap(cls)


def _dataclass(cls, init, repr, eq, order, unsafe_hash, frozen, options):
    standard = dict(init=init, repr=repr, eq=eq, order=order, unsafe_hash=unsafe_hash, frozen=frozen, **options)
    if _STANDARD or unsafe_hash or set(options) - {"slots"}:
        return dataclasses.dataclass(cls, **standard)
    if order and not eq:
        raise ValueError("eq must be true if order is true")
    own = cls.__dict__
    class_hash = own.get("__hash__", dataclasses.MISSING)
    explicit_hash = not (class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in own))
    bases = [base for base in cls.__mro__[1:] if hasattr(base, "__dataclass_fields__")]
    frozen_bases = any(base.__dataclass_params__.frozen for base in bases)
    if bases and frozen_bases != frozen or _unhandled(cls, bases, order):
        return dataclasses.dataclass(cls, **standard)  # which refuses a frozen mismatch, as it should
    undocumented = not cls.__doc__
    if undocumented:
        cls.__doc__ = "-"  # else the standard one works one out with inspect.signature, slowly, from the wrong __init__
    # Frozen only below a frozen base, which the standard one requires (and then
    # writes __setattr__ and __delattr__ itself).
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False, frozen=frozen_bases, **options)
    fields = dataclasses.fields(cls)
    if undocumented:
        cls.__doc__ = f"{cls.__name__}({', '.join(field.name for field in fields)})"
    methods = _methods(cls, fields, init, repr, eq, order, frozen, explicit_hash, options.get("slots", False))
    for name, method in methods.items():
        if name == "__hash__" or name not in cls.__dict__:
            if method is not None:
                method.__name__, method.__qualname__ = name, f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)
    if frozen and options.get("slots", False):
        # As the standard slotted frozen class: pickled by field values, restored past the frozen __setattr__.
        if "__getstate__" not in cls.__dict__:
            cls.__getstate__ = _getstate
        if "__setstate__" not in cls.__dict__:
            cls.__setstate__ = _setstate
    params = cls.__dataclass_params__
    params.init, params.repr, params.eq, params.order, params.frozen = init, repr, eq, order, frozen
    return cls


def _unhandled(cls, bases: list[type], order: bool) -> bool:
    """Whether the class has what is left to the standard ``dataclass``: an ``InitVar``
    or ``KW_ONLY`` annotation, a field with ``init=False`` or ``kw_only`` (its own or a
    base's), or its own order methods beside ``order``. Told before laying the class
    out, which changes it (a default factory's field loses its class attribute)."""
    own = cls.__dict__
    for name, annotation in own.get("__annotations__", {}).items():
        if "InitVar" in str(annotation) or "KW_ONLY" in str(annotation):
            return True
        value = own.get(name)
        if isinstance(value, dataclasses.Field) and (not value.init or value.kw_only is True):
            return True
    if any(not field.init or field.kw_only for base in bases for field in dataclasses.fields(base)):
        return True
    return order and any(name in own for name in ("__lt__", "__le__", "__gt__", "__ge__"))


def _methods(cls, fields, init, repr, eq, order, frozen, explicit_hash, slots) -> dict:
    """The methods: ``__init__`` compiled, as it runs for every object; the others,
    which run far less, made from closures over the field names (no compiling)."""
    found: dict = {}
    if init:
        found["__init__"] = _init(cls, fields, frozen, slots)
    if repr:
        found["__repr__"] = _repr([field.name for field in fields if field.repr])
    values = _values([field.name for field in fields if field.compare])
    if eq:
        found["__eq__"] = _comparison(values, operator.eq)
    if order:
        for name, compare in (("__lt__", operator.lt), ("__le__", operator.le), ("__gt__", operator.gt), ("__ge__", operator.ge)):
            found[name] = _comparison(values, compare)
    if eq and not explicit_hash:
        # As the standard: equal by value and frozen, hashed by value; mutable, unhashable.
        found["__hash__"] = _hash(_values([f.name for f in fields if (f.compare if f.hash is None else f.hash)])) if frozen else None
    if frozen:
        found.update(_frozen(cls, frozenset(field.name for field in fields)))  # kept where the standard one wrote them
    for method in found.values():
        if method is not None:
            method.__module__ = cls.__module__
    return found


def _init(cls, fields, frozen: bool, slots: bool):
    namespace: dict = {"_object_setattr": object.__setattr__, "_has_factory": _HAS_FACTORY}
    parameters: list[str] = ["self"]
    body: list[str] = []
    for number, field in enumerate(fields):
        value = field.name
        if field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{number}"] = field.default_factory
            parameters.append(f"{field.name}=_has_factory")
            value = f"_factory_{number}() if {field.name} is _has_factory else {field.name}"
        elif field.default is not dataclasses.MISSING:
            namespace[f"_default_{number}"] = field.default
            parameters.append(f"{field.name}=_default_{number}")
        else:
            parameters.append(field.name)
        slot = cls.__dict__.get(field.name)
        if frozen and slots and isinstance(slot, MemberDescriptorType):
            namespace[f"_set_{number}"] = slot.__set__
            body.append(f"    _set_{number}(self, {value})")
        elif frozen:
            body.append(f"    _object_setattr(self, {field.name!r}, {value})")
        else:
            body.append(f"    self.{field.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__({', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(source, namespace)  # noqa: S102 - source made here from field names
    return namespace["__init__"]


def _values(names: list[str]):
    """A function from an object to the tuple of its values of ``names``."""
    if len(names) >= 2:
        return operator.attrgetter(*names)
    if len(names) == 1:
        value = operator.attrgetter(names[0])
        return lambda item: (value(item),)
    return lambda item: ()


def _repr(names: list[str]):
    @recursive_repr()
    def __repr__(self):
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _comparison(values, compare):
    def method(self, other):
        if other.__class__ is self.__class__:
            return compare(values(self), values(other))
        return NotImplemented

    return method


def _hash(values):
    def __hash__(self):
        return hash(values(self))

    return __hash__


def _frozen(cls, names: frozenset[str]) -> dict:
    def __setattr__(self, name, value):
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}


def _getstate(self):
    return [getattr(self, field.name) for field in dataclasses.fields(self)]


def _setstate(self, state):
    for field, value in zip(dataclasses.fields(self), state):
        object.__setattr__(self, field.name, value)
