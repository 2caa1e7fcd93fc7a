"""The fine-tune panel's report card: a run's result in words (kept, discarded, cancelled, failed), its
figures, its Compare button and its re-asked answers; where it stands in the panel and its colours.
A part of ``FineTunePanel`` (gui/finetune_panel.py), whose widgets it reads.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout

from desktop_app.core.adapters import adapter_name
from desktop_app.core.progress_words import kept_aside_line
from desktop_app.gui.figure_words import KEPT_ASIDE_WORDS
from desktop_app.gui.finetune_words import RunCard, figures_tip, run_card, stopped_run_note
from desktop_app.gui.taught_view import TaughtView
from desktop_app.gui.theme import colors, icon, is_dark, styled_label
from desktop_app.gui.tips import rich_tip

REPORT_TOP_MARGIN_PX = 8  # over a report's card shown from its title
# the Compare button's words, and their short form where they do not fit the panel (a 480 px screen)
COMPARE_WORDS, COMPARE_SHORT_WORDS = "Compare before / after\u2026", "Compare\u2026"


def paragraphs(text: str) -> str:
    """Lines joined by "<br>" as paragraphs a little apart (a narrow card's block of lines read as a wall); an
    indented line (a listed answer's before and after) stays with the line above it."""
    blocks: list[str] = []
    for line in text.split("<br>"):
        if blocks and line.startswith("&nbsp;"):
            blocks[-1] += "<br>" + line
        elif line:
            blocks.append(line)
    return "".join(f"<p style='margin:0 0 6px 0'>{block}</p>" for block in blocks)


class RunReport:
    """The report card part of the fine-tune panel (a mixin of ``FineTunePanel``: its ``controller``,
    ``history``, ``intro`` and ``progress_box`` are the panel's, and the consent question's widgets
    ``RunConsent``'s)."""

    def _build_result(self, layout) -> None:
        """The outcome box: title, body, Compare button and the gate's re-asks (hidden until a run ends)."""
        self.result_box = QFrame(layout.parentWidget())
        self.result_box.setObjectName("ResultBox")
        rl = QVBoxLayout(self.result_box)
        rl.setContentsMargins(10, 8, 10, 8)
        rl.setSpacing(4)
        self.result_title = styled_label("", "ResultTitle", wrap=True)
        self.result_body = QLabel()
        self.result_body.setWordWrap(True)
        self.result_body.setTextFormat(Qt.TextFormat.RichText)
        self.result_details = QLabel()  # a discarded run's figures, under its why and what to do
        self.result_details.setWordWrap(True)
        self.result_details.setTextFormat(Qt.TextFormat.RichText)
        self.result_details.hide()
        rl.addWidget(self.result_title)
        self._build_consent(rl)  # right under the title: the question comes before the figures
        rl.addWidget(self.result_body)
        # which questions the run kept aside to test it (waiting83): a correction just written, not learnt from;
        # under the why ("on the 1 rating kept out of training to test it"), not under a discarded run's figures
        self.result_kept = styled_label("", "Muted", wrap=True)
        self.result_kept.setToolTip(KEPT_ASIDE_WORDS)
        rl.addWidget(self.result_kept)
        self.result_kept.hide()
        rl.addWidget(self.result_details)
        self.compare_button = QPushButton(icon("compare"), COMPARE_WORDS)
        self.compare_button.setObjectName("SmallButton")
        self.compare_button.setToolTip("See per token how the adapter in use changed rated answers")
        self.compare_button.clicked.connect(self.compare_requested)
        rl.addWidget(self.compare_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.compare_button.hide()
        self.taught = TaughtView(self.result_box)  # the gate's re-asks, before and after, side by side
        rl.addWidget(self.taught)
        layout.addWidget(self.result_box)
        self.result_box.hide()

    def show_last_run(self, cancelled: bool = False, cancelled_run: int | None = None) -> None:
        """After a start: the result of the newest run, so a restart still says what happened.
        ``cancelled``: a run (``cancelled_run``, if it got an id) was just cancelled; the card
        says so above the report of the run before, which still holds."""
        loaded = self.controller.chat.loaded
        runs = [r for r in self.controller.store.list_runs()
                if loaded is None or r.get("base_model") == loaded.model_id]
        # a cancelled run changed nothing and an interrupted one ("running" after a crash) said
        # nothing: the newest run that finished is the one worth reporting
        finished = [r for r in runs if r["status"] not in ("running", "cancelled")]
        interrupted = runs[0] if runs and runs[0]["status"] == "running" and not self.controller.running else None
        stopped = runs[0] if runs and runs[0]["status"] == "cancelled" and not cancelled else None
        which = "The new run" if cancelled_run is None else f"Run {cancelled_run}"
        if finished and cancelled:
            self.show_run(finished[0], note=("Cancelled: nothing changed",
                                             f"{which} was cancelled; the model you chat with stays as it was. "
                                             f"This is run {finished[0]['id']}'s report:"))
        elif finished and interrupted:  # the newest run never ended: the app closed or was killed while it trained
            self.show_run(finished[0], note=stopped_run_note(interrupted, finished[0]["id"], interrupted=True))
        elif finished and stopped:  # after a restart: cancelled, or stopped by quitting, before this start
            self.show_run(finished[0], note=stopped_run_note(stopped, finished[0]["id"]))
        elif finished:
            self.show_run(finished[0])
        elif cancelled:
            self._show_result("cancelled", None, None, None)
        elif stopped:  # after a restart, the first run stopped (by quitting): it said nothing (usertest26)
            self._show_result("cancelled", stopped.get("reason"), None, None, note=stopped_run_note(stopped, None))
        elif interrupted:
            self._show_result("running", f"run {interrupted['id']}", None, None)
        else:  # another model's report would name adapters this model does not have
            self.last_result = None
            self.history.set_after_discard(False)
            self.result_box.hide()

    def show_run(self, run: dict, note: tuple[str | None, str] | None = None) -> None:
        """A stored run's report (its metrics keep the gate's numbers and re-asks)."""
        self.last_run_id = run.get("id")
        self._show_result(run["status"], run.get("reason"), run.get("metrics"), run.get("adapter_id"), note)

    def show_adapter_report(self, adapter_id: int) -> None:
        """The report of the run that made ``adapter_id`` (an imported one: its own judgement)."""
        store = self.controller.store
        adapter = store.get_adapter(adapter_id)
        if adapter.get("run_id") is not None:
            run = store.get_run(adapter["run_id"])
            self.show_run({**run, "adapter_id": adapter_id})
        else:
            self.last_run_id = None
            self._show_result("kept", None, adapter.get("metrics"), adapter_id)
        QTimer.singleShot(0, self, self._show_result_top)  # above the history, once laid out

    def _show_result_top(self) -> None:
        """The report's card in view from its title: a card taller than the panel was centred by
        ``ensureWidgetVisible``, its title and first lines above the view (usertest 24: Report… opened on the
        card's middle pairs)."""
        self.ensureWidgetVisible(self.result_box)
        top = self.result_box.mapTo(self.widget(), QPoint(0, 0)).y()
        if self.result_box.height() > self.viewport().height():
            self.verticalScrollBar().setValue(top - REPORT_TOP_MARGIN_PX)

    def _place_card(self, first: bool) -> None:
        """A card that waits for the person's word goes right under the intro, above the count tiles
        and "Fine-tune on my ratings": the first big button after a run was "train again", not the
        question (usertest 10). Any other card stays under the progress, where a run reports."""
        layout = self.widget().layout()
        anchor = self.intro if first else self.progress_box
        if layout.indexOf(self.result_box) != layout.indexOf(anchor) + 1:
            layout.removeWidget(self.result_box)
            layout.insertWidget(layout.indexOf(anchor) + 1, self.result_box)

    def _steady_card(self, kept: bool, adapter_id) -> None:
        """A kept run's card keeps its height whichever adapter is in use: "Use selected" and
        "Roll back" changed its title's lines and hid its Compare button, and the adapter
        history's buttons under it moved by 10 px between two clicks."""
        policy = self.compare_button.sizePolicy()
        policy.setRetainSizeWhenHidden(kept)
        self.compare_button.setSizePolicy(policy)
        label, least = self.result_title, 0
        if kept and label.width() > 0:
            longest = f"Kept as {adapter_name(adapter_id)}; {adapter_name(None)} is in use now"
            area = QRect(0, 0, label.contentsRect().width(), 10_000)
            least = max(label.fontMetrics().boundingRect(area, Qt.TextFlag.TextWordWrap, text).height()
                        for text in (longest, label.text()))
        label.setMinimumHeight(least)

    def _show_result(self, status, reason, metrics, adapter_id, note: tuple[str | None, str] | None = None) -> None:
        """The card of one run. ``note``: (a title instead of the run's, or None; a line above
        the report), e.g. a later run that was cancelled; kept when the history redraws it."""
        self.last_result = (status, reason, metrics, adapter_id, note)
        self.history.set_after_discard(status == "discarded")
        active = self.history.active_id()
        card = run_card(status, reason, metrics, adapter_id, note, active, {row["id"] for row in self.history.rows})
        self.result_title.setText(card.title)
        self._show_body(card, figures_tip(status, metrics))
        self.taught.set_pairs((metrics or {}).get("taught") if status in ("kept", "discarded") else None,
                              since_run=(metrics or {}).get("new_since_run_id"))
        self._show_consent(status, metrics, card)
        self._show_kept_aside_on_card(status, metrics)
        self._place_card(first=card.waiting)
        # a note with its own title (a later run cancelled) is not this run's verdict: no green or red;
        # an adapter waiting for the person's word is no plain success either
        kind = "waiting" if card.waiting else status
        self._style_card(kind if note is None or note[0] is None else "note")
        # compare is about this card's adapter: only while that adapter is in use
        self.compare_button.setVisible((status == "kept" or card.used_anyway) and not card.gone
                                       and active == adapter_id)
        self._steady_card(status == "kept" and not card.gone, adapter_id)
        self.result_box.show()

    def _show_kept_aside_on_card(self, status, metrics) -> None:
        """A run that was judged names the questions it kept aside to test it, as its progress did: as its metrics
        keep them (the run read them where it split), from the store only for a run recorded without them."""
        judged = (metrics or {}) if status in ("kept", "discarded") else {}
        words = kept_aside_line(self.controller.store, judged.get("heldout_groups"), judged.get("heldout_questions"))
        self.result_kept.setText(words)
        self.result_kept.setVisible(bool(words))

    def _show_body(self, card: RunCard, tip: str) -> None:
        """The card's words. A discarded run's in three blocks, a paragraph apart: why and what to do, then its
        question (Use it anyway / Leave it), then the figures; the question of any other card comes first."""
        muted = colors(is_dark())["muted"]
        spaced = bool(card.details)
        self.result_body.setText((paragraphs(card.body) if spaced else card.body).replace("@muted", muted))
        self.result_body.setVisible(bool(card.body))
        self.result_details.setText(paragraphs(card.details).replace("@muted", muted))
        self.result_details.setVisible(spaced)
        for label in (self.result_body, self.result_details):
            rich_tip(label, tip)  # what the figures mean, for who wants them
        layout = self.result_box.layout()
        if (layout.indexOf(self.consent_text) > layout.indexOf(self.result_body)) != spaced:
            for widget in (self.consent_text, self.consent_box):
                layout.removeWidget(widget)
            at = layout.indexOf(self.result_body) + (1 if spaced else 0)
            layout.insertWidget(at, self.consent_text)
            layout.insertWidget(at + 1, self.consent_box)
        layout.setSpacing(10 if spaced else 4)

    def _style_card(self, kind: str) -> None:
        """The card's colours follow its ``kind`` (the style sheet's ``kind`` property)."""
        self.result_box.setProperty("kind", kind)
        self.result_box.style().unpolish(self.result_box)
        self.result_box.style().polish(self.result_box)
