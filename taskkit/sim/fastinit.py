"""A faster ``__init__`` for the frozen dataclasses a step builds several of.

A frozen dataclass's own ``__init__`` stores each field through ``object.__setattr__`` (the
class's ``__setattr__`` refuses): about a quarter of a microsecond a field, and a step builds
a parsed response, an exchange, a step record and a record per call, some thirty fields in
all, a tenth of a cheap step's time. :func:`fast_init` gives such a class an ``__init__``
with the same signature (defaults and default factories included) that fills the instance's
``__dict__`` at once. The class stays frozen: assigning a field afterwards still raises.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["fast_init"]

T = TypeVar("T")

_FACTORY = object()
"""The default of a parameter whose field has a default factory (as dataclasses does)."""


def fast_init(cls: type[T]) -> type[T]:
    """Replace the ``__init__`` of frozen dataclass ``cls`` (one with a ``__dict__``, every
    field an ``__init__`` parameter, positional or keyword, no ``__post_init__``); anything
    else is refused here, at import, rather than built wrong."""
    params = cls.__dict__.get("__dataclass_params__")
    if params is None or not params.frozen:
        raise TypeError(f"{cls.__name__}: fast_init is for frozen dataclasses")
    if "__slots__" in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: fast_init needs a __dict__ and no __post_init__")
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY}
    signature: list[str] = []
    stores: list[str] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: fast_init takes init, positional fields")
        if f.default is not dataclasses.MISSING:
            namespace[f"_default_{f.name}"] = f.default
            signature.append(f"{f.name}=_default_{f.name}")
            stores.append(f"{f.name!r}: {f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            signature.append(f"{f.name}=_FACTORY")
            stores.append(f"{f.name!r}: _factory_{f.name}() if {f.name} is _FACTORY else {f.name}")
        else:
            signature.append(f.name)
            stores.append(f"{f.name!r}: {f.name}")
    source = (
        f"def __init__(self, {', '.join(signature)}):\n"
        f"    self.__dict__.update({{{', '.join(stores)}}})\n"
    )
    exec(source, namespace)  # built from the class's own field names only
    init = namespace["__init__"]
    init.__module__ = cls.__module__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.fast_init = True
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
