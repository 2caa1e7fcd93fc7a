"""A module imported on first use: for heavy modules (torch behind them) that a light module
names at its top, so importing the light one (e.g. the window's panels) does not load torch."""

from __future__ import annotations

import importlib


class LazyModule:
    """Stands for the module ``name``: the first attribute read imports it (under Python's
    import lock, so threads are safe); later reads go to the real module, monkeypatches included.

    Attributes:
        _name: the module's dotted name."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> LazyModule:
    return LazyModule(name)
