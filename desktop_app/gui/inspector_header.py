"""The inspector's token itself: its swatch, its bytes and marks, the grid of its figures and "Copy figures".
A part of ``InspectorPanel`` (gui/inspector.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QPushButton, QWidget

from desktop_app.core.guess_words import guess_sentence
from desktop_app.core.palette import MEASURES, color_for, css_colours
from desktop_app.core.piece_words import split_piece_words
from desktop_app.core.precision import made_with
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.token_figures import token_figures_text
from desktop_app.core.token_words import MARKS_TIP, marks_words, piece_label, token_label, token_percent
from desktop_app.gui.inspector_words import BYTES_TIP, COPY_TIP, STAT_TIPS, copied_words
from desktop_app.gui.theme import is_dark, scaled_points, styled_label

COPIED_MS = 6000
STATS_SPACING_PX = 12  # between a figure's name and its value (6 in a narrow view: InspectorPanel._fit_width)


class TokenHeader:
    """The token and its figures (a mixin of ``InspectorPanel``: its ``record``, ``index``, ``chart``, ``tokenizer``
    and model are the panel's)."""

    def _build_token(self, layout) -> None:
        """The token's swatch, and the lines under it for its bytes and its marks."""
        self.token_label = QLabel()
        self.token_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.token_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.token_label.setMinimumHeight(48)
        # a piece's or a cluster's words ("<U+200D> (part of “👩‍👩‍👧”)", glyph70) outgrew the panel on one line
        self.token_label.setWordWrap(True)
        self.token_label.setToolTip(MARKS_TIP)
        layout.addWidget(self.token_label)
        self.bytes_note = styled_label("", "Muted")  # "bytes e2 80", for a token that holds part of a character
        self.bytes_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bytes_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bytes_note.setToolTip(BYTES_TIP)
        layout.addWidget(self.bytes_note)
        self.marks_note = styled_label("", "Muted")  # "␣ = a space", when the token or an alternative has one
        self.marks_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.marks_note.setToolTip(MARKS_TIP)
        layout.addWidget(self.marks_note)
        # the figures in one plain sentence above them: a writer new to this read "rank 448" and "11.94 bits" as
        # nothing, and asked whether the model had expected the word at all (usertest70)
        self.guess_note = styled_label("", "GuessNote", wrap=True)
        self.guess_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.guess_note)

    def _build_stats(self, layout) -> None:
        """The grid of the token's numbers (probability, rank, entropy ...), each name and figure with
        its meaning in plain words on hover (``STAT_TIPS``)."""
        self.stats = QGridLayout()
        self.stats.setHorizontalSpacing(STATS_SPACING_PX)
        self.stat_values: dict[str, QLabel] = {}
        self.stat_names: dict[str, QLabel] = {}
        for row, name in enumerate(STAT_TIPS):
            key = styled_label(name, "Muted")
            value = QLabel()
            for label in (key, value):
                label.setToolTip(STAT_TIPS[name])
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.stats.addWidget(key, row, 0)
            self.stats.addWidget(value, row, 1)
            self.stat_values[name], self.stat_names[name] = value, key
        self.stats_box = QWidget()  # made alone (a window's layout margins, 11 px, kept in stats_margins), then moved
        self.stats_box.setLayout(self.stats)
        self.stats_margins = self.stats.contentsMargins()  # the style's, given back as the view widens
        layout.addWidget(self.stats_box)
        self.copy_button = QPushButton("Copy figures")
        self.copy_button.setToolTip(COPY_TIP)
        self.copy_button.clicked.connect(self.copy_figures)

    def copy_figures(self) -> None:
        """The shown token's figures, as JSON, on the clipboard; the status bar says so (usertest30: a click
        showed nothing, so whether anything was copied was learnt only by pasting)."""
        if self.record is None:
            return
        explanation = self.shown_explanation()
        # "adapter" only where the row says it (figures_of), so a copy never names an adapter the row did not
        said = {"adapter": self.figures_adapter} if self.figures_of else {}
        QApplication.clipboard().setText(token_figures_text(self.record, self.index, explanation,
                                                            piece_hex=self._piece_hex, cut=self.chart.cut,
                                                            message_id=getattr(self, "message_id", None), **said))
        bar = getattr(self.window(), "statusBar", None)
        if bar is not None:
            bar().showMessage(copied_words(self.index, self.record, explanation), COPIED_MS)

    def shown_explanation(self):
        """This token's "Why this token?" as far as it shows (its grid before its attribution), else None:
        the explain view lets go of it as another token is shown."""
        explain = getattr(self, "explain", None)
        if explain is None:
            return None
        return explain.result or explain.partial

    def _show_figures(self, record: TokenRecord) -> None:
        """The token itself (its swatch, bytes and marks) and its figures."""
        self.token_label.setText(piece_label(record.text, self.completes))  # "(part of “首”)"
        self._show_bytes_note(record)
        self._show_marks_note(record)
        self.guess_note.setText(guess_sentence(record))
        self.guess_note.show()
        self._paint_swatch()
        self.stat_values["token id"].setText(str(record.id))
        self.stat_values["probability"].setText(token_percent(record))  # as its row in the chart says it
        self.stat_values["log-probability"].setText(f"{record.logprob:.3f}")
        self.stat_values["rank"].setText(f"{record.rank:,}")
        self.stat_values["entropy"].setText(f"{record.entropy_bits:.2f} bits")
        self.stat_values["surprisal"].setText(f"{record.surprisal_bits:.2f} bits")
        self.stat_values["precision"].setText(made_with(record.precision, self.loaded_precision(),
                                                        written=self.written_token))
        self._show_adapter()

    def _show_adapter(self) -> None:
        """The "adapter" row: whose figures the token shows (``figures_of``: the row's words and their whole form),
        hidden where the caller does not know."""
        shown, whole = self.figures_of or ("", "")
        value = self.stat_values["adapter"]
        value.setText(shown)
        value.setToolTip(f"{whole}\n\n{STAT_TIPS['adapter']}" if whole != shown else STAT_TIPS["adapter"])
        for label in (value, self.stat_names["adapter"]):
            label.setVisible(bool(shown))

    def _show_bytes_note(self, record: TokenRecord) -> None:
        """A token that is part of a character has no text of its own: its bytes (from the tokenizer of
        the model that wrote it), so an emoji's pieces are told apart by more than their ids."""
        said = split_piece_words(self.tokenizer(), record.id, self.records_model, self.model_id()) \
            if record.text == "" else ""
        self.bytes_note.setText(said)
        self.bytes_note.setVisible(bool(said))

    def _piece_hex(self, token_id: int, text: str) -> str:
        """Copy figures' "bytes": the written token's as its note says them, an alternative's as its row does."""
        if token_id == self.record.id and text == self.record.text:
            said = self.bytes_note.text()
            return said.removeprefix("bytes ") if said.startswith("bytes ") else ""
        return self._alternative_hex(Alternative(token_id, text, 0.0))

    def _show_marks_note(self, record: TokenRecord) -> None:
        """What the marks on the token and its alternatives stand for, in a short line under the token."""
        said = marks_words([token_label(t.text) for t in (record, *record.top)])
        self.marks_note.setText(said)
        self.marks_note.setVisible(bool(said))

    def set_measure(self, measure: str) -> None:
        """Colour the swatch by the transcript's colour mode (plain text: by probability)."""
        self.measure = measure if measure in MEASURES else "probability"
        if self.record is not None:
            self._paint_swatch()

    def _paint_swatch(self) -> None:
        bg, fg = css_colours(color_for(self.record, self.measure, is_dark()))
        size = scaled_points(16)  # grown with a large application font, as the style sheet's sizes are
        self.token_label.setStyleSheet(
            f"background:{bg}; color:{fg}; border-radius:8px; padding:8px 14px; font-size:{size}; font-weight:600;")
