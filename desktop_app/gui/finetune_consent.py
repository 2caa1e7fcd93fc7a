"""The question on a fine-tune's card when its adapter waits for the person's word (it changed facts on
questions never rated, or the check discarded it): the changed answers, "Use it anyway" and "Keep the
current model" (or "Leave it"). A part of ``FineTunePanel`` (gui/finetune_panel.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.gui.finetune_card import paragraphs
from desktop_app.gui.finetune_words import RunCard, changed_facts_words, degenerate_words, waiting_lead
from desktop_app.gui.theme import colors, is_dark


class RunConsent:
    """The consent part of the fine-tune panel (a mixin of ``FineTunePanel``: its ``controller``,
    ``last_run_id`` and card are the panel's)."""

    def _build_consent(self, layout) -> None:
        """The two answers to a kept adapter that waits (it changed facts on questions never rated):
        side by side, or one above the other where the panel is too narrow for both."""
        self.consent_text = QLabel()  # the answers it changed, before and after, then what the buttons do
        self.consent_text.setObjectName("ConsentText")
        self.consent_text.setWordWrap(True)
        self.consent_text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.consent_text)
        self.consent_text.hide()
        self.consent_box = ConsentButtons()
        self.use_anyway_button, self.keep_current_button = self.consent_box.use, self.consent_box.keep
        self.use_anyway_button.clicked.connect(lambda: self._settle(True))
        self.keep_current_button.clicked.connect(lambda: self._settle(False))
        layout.addWidget(self.consent_box)
        self.consent_box.hide()

    def _settle(self, use: bool) -> None:
        run_id = self.last_run_id
        if run_id is None:
            return
        self.consent_box.setEnabled(False)  # one answer; the card redraws once it is stored
        self.controller.settle_consent(run_id, use)

    def _consent_settled(self, run_id: int, choice: str) -> None:
        """The card of that run follows the answer: in use, or kept in the history only."""
        self.consent_box.setEnabled(True)
        if self.last_run_id != run_id or not getattr(self, "last_result", None):
            return
        status, reason, metrics, adapter_id, note = self.last_result
        stored = self.controller.store.get_run(run_id).get("metrics") or {}  # with what became of a left adapter
        self.last_result = (status, reason, {**(metrics or {}), **stored, "consent": choice}, adapter_id, note)
        self.refresh_adapters()
        focus = self.compare_button if choice == "used" and self.compare_button.isVisible() else self.train_button
        if self.consent_box.isHidden() and self.window().focusWidget() in (None, self.use_anyway_button,
                                                                           self.keep_current_button):
            focus.setFocus()  # the buttons hid: the keyboard's place moves to what comes next, not to the start

    def _show_consent(self, status, metrics, card: RunCard) -> None:
        """The question under a saved adapter waiting for the person's word, and its buttons."""
        offered = card.waiting and status == "discarded"  # used anyway, or left (core.train_verdict.decide)
        question = (degenerate_words if offered else changed_facts_words)(metrics, card.now) if card.waiting else ""
        if card.waiting and not offered:  # under a title that says what the run learnt: why it waits, first
            question = "<br>".join(x for x in (waiting_lead(self.last_result[3], metrics or {}), question) if x)
        question = paragraphs(question) if offered else question  # a discarded run's listed answers, apart
        self.consent_text.setText(question.replace("@muted", colors(is_dark())["muted"]))
        self.consent_box.set_words(leave=offered)
        self.consent_text.setVisible(card.waiting)
        self.consent_box.setVisible(card.waiting and self.last_run_id is not None)


class ConsentButtons(QWidget):
    """"Use it anyway" and "Keep the current model": side by side where both fit whole, else one
    above the other (the side panel is narrow at 800x600), never cut."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.use = QPushButton("Use it anyway")
        self.use.setObjectName("SmallButton")
        self.keep = QPushButton("Keep the current model")
        self.keep.setObjectName("SmallButton")
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 4, 0, 0)
        self.box.setSpacing(6)
        # the safe answer first and default: after a run that taught a wrong fact, "Use it anyway" on the
        # left read as the way on (usertest 10)
        self.keep.setDefault(True)
        self.box.addWidget(self.keep)
        self.box.addWidget(self.use)
        self.box.addStretch(1)
        self.setTabOrder(self.keep, self.use)
        self.set_words(leave=False)

    def set_words(self, leave: bool) -> None:
        """``leave``: the adapter of a run the check discarded (its answers went wrong): "Leave it"
        deletes it; else a kept one that changed facts: "Keep the current model" keeps it in the history."""
        if leave:
            self.keep.setText("Leave it")
            self.keep.setToolTip("Keep the model in use as it is and delete the discarded adapter")
            self.use.setToolTip("Put the discarded adapter in use, with the answers shown; it then appears in "
                                "the adapter history")
        else:
            self.keep.setText("Keep the current model")
            self.keep.setToolTip("Leave the model in use as it is; the new adapter stays in the history below")
            self.use.setToolTip("Put the new adapter in use, with the changed answers")
        # an explicit minimum width: the side-by-side row's would keep the panel from ever being narrow
        # enough to put them one above the other (the layout keeps its own minimum height)
        self.setMinimumWidth(max(self.use.sizeHint().width(), self.keep.sizeHint().width()))

    def _both_fit(self, width: int) -> bool:
        return self.use.sizeHint().width() + self.keep.sizeHint().width() + self.box.spacing() <= width

    def resizeEvent(self, event) -> None:
        side = self._both_fit(event.size().width())
        want = QBoxLayout.Direction.LeftToRight if side else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != want:
            self.box.setDirection(want)
        super().resizeEvent(event)
