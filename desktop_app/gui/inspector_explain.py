"""The inspector's "Why this token?" and "How likely was…" wired to the token shown: where the explanation's
button sits, and its actions (rate the token bad, continue with the runner-up) done as the panel's own.
A part of ``InspectorPanel`` (gui/inspector.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QWidget

from desktop_app.gui.word_probe_view import BUSY_THIS


class ExplainWiring:
    """The explanation's and the probe's wiring (a mixin of ``InspectorPanel``: its ``explain``, ``probe``,
    rating and branching are the panel's)."""

    def _wire_explain_actions(self) -> None:
        """The explanation's "Rate this token bad" and "Continue with ... instead" do what the
        rating buttons and "Continue with" do here, for the token shown."""
        self.explain.can_act = lambda: (self.can_branch or self.text_rate, self.can_branch)
        self.explain.rate_bad_requested.connect(self._rate_bad)
        self.explain.runner_up_requested.connect(self._branch_with)

    def _rate_bad(self) -> None:
        if getattr(self, "rating_value", None) != -1:
            self._rate(-1)
        self.explain.rated(-1)

    def _branch_with(self, token_id: int) -> None:
        if self.message_id is not None and self.can_branch:
            self.branch_requested.emit(self.message_id, self.index, token_id)

    def _place_explain_button(self, layout) -> None:
        """"Why this token?" right under the token's figures, where it shows without scrolling
        (usertest 11: below the alternatives it was under the fold); the section it opens stays below."""
        # "Copy figures" beside it: a row of its own pushed the chart below a 600 px window (under it where narrow)
        self.explain_row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(6)
        row.addWidget(self.explain.button, 1)
        row.addWidget(self.copy_button)
        layout.insertLayout(layout.indexOf(self.stats_box) + 1, row)
        QWidget.setTabOrder(self.explain.button, self.copy_button)
        QWidget.setTabOrder(self.copy_button, self.good_button)

    def _show_probe(self, message_id: int | None, index: int, can_branch: bool, busy: str | None) -> None:
        """"How likely was…" for a stored answer's token; while another answer is written it still asks (its
        read runs between that answer's tokens); while this one is written it says it waits."""
        if busy == "this":
            self.probe.show_token(message_id, index, busy=BUSY_THIS)
            return
        answer_token = message_id is not None and (can_branch or busy is not None)
        self.probe.show_token(message_id if answer_token else None, index)
