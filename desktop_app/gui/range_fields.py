"""Number fields that take a value past their range and set it to the nearest end, saying so.
A plain spin box refuses such a keystroke in silence: usertest 16 typed 9 for a temperature that
goes up to 3.00 and saw nothing happen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox


class Clamps:
    """``on_clamp(typed, kept)`` hears a value past the range once the editing ends (Enter, focus out)."""

    on_clamp: Callable[[str, str], None] | None = None

    def _setup(self) -> None:
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def _outside(self, text: str) -> float | None:
        value, ok = self.locale().toDouble(text.strip())
        return value if ok and not self.minimum() <= value <= self.maximum() else None

    def validate(self, text: str, pos: int):
        if self._outside(text) is not None:  # kept while typed; fixup sets it to the nearest end
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:
        value = self._outside(text)
        if value is None:
            return super().fixup(text)
        kept = self.textFromValue(type(self.minimum())(min(max(value, self.minimum()), self.maximum())))
        if self.on_clamp is not None:
            self.on_clamp(text.strip(), kept)
        return kept

    def range_words(self) -> str:
        return f"{self.textFromValue(self.minimum())} to {self.textFromValue(self.maximum())}"


class ClampedDoubleSpinBox(Clamps, QDoubleSpinBox):
    def __init__(self, **options):
        super().__init__(**options)
        self._setup()


class ClampedSpinBox(Clamps, QSpinBox):
    def __init__(self, **options):
        super().__init__(**options)
        self._setup()
