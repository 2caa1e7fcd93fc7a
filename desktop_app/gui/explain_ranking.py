"""Why this token?'s ranking: which earlier words mattered most, in words and rows. While the
attribution runs its rough figures show greyed and rounded, only the words whose place has
settled (usertest 11: the first ones misled); once it ends, the ranking with coloured figures,
the share hidden text took, "Only what the chat shows" and the toggle that paints it over the
conversation. It sits at the top of the section, above the layer grid: at 1280x800 the grid of
a 30-layer model pushed it below the fold."""

from __future__ import annotations

import html

from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from desktop_app.core.palette import attribution_color, text_color_on
from desktop_app.core.token_words import token_label
from desktop_app.gui import explain_words as words
from desktop_app.gui.theme import colors, is_dark, styled_label

TOP_CONTRIBUTORS = 5
OVER_THE_CONVERSATION, OVER_THE_TEXT = "Show it over the conversation", "Show it over the text"


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(rgb)


def chip(text: str, rgb) -> str:
    """``text`` on a background of ``rgb``, in the letters' colour that reads on it."""
    return (f"<span style='background:{_hex(rgb)}; color:{_hex(text_color_on(rgb))}'>"
            f"&nbsp;{html.escape(text)}&nbsp;</span>")


def attribution_scale(a) -> float:
    """The largest contribution's size: the colours' full strength (never 0)."""
    return max((abs(s) for s in a.scores), default=1.0) or 1.0


def with_token_labels(a):
    """The attribution with its two tokens named as the chat shows them (a space as "␣")."""
    return replace(a, target_text=token_label(a.target_text), other_text=token_label(a.other_text))


SHOWN_ONLY_TIP = ("Rank only the tokens of your messages and the answers, leaving out the chat template and system "
                  "text the model reads but the chat does not show")
SHOWN_ONLY_TEXT_TIP = ("Rank only the tokens of your text, leaving out the start token the model reads every text "
                       "after: attention leans on it, whatever the words")


def ranking_rows(a, top: list[int], in_text: bool, scale: float | None, findable=lambda _a, _i: False) -> str:
    """One line per ranked token: its figure (a coloured chip; ``scale`` None: a rough one,
    grey and rounded), the token and where it stands (hidden template tokens say so); a token
    ``findable(a, i)`` on screen is a link to it."""
    muted = colors(is_dark())["muted"]
    return "<br>".join(_row(a, i, in_text, scale, muted, findable(a, i)) for i in top)


def _row(a, i: int, in_text: bool, scale: float | None, muted: str, findable: bool = False) -> str:
    rough = scale is None
    figure = (f"<span style='color:{muted}'>\u2248{a.scores[i]:+.1f}</span>" if rough
              else chip(f"{a.scores[i]:+.2f}", attribution_color(a.scores[i], scale, is_dark())))
    token = in_its_place(a, i)
    if rough:
        token = f"<span style=color:{muted}>{token}</span>"
    if findable:  # a word on screen: a click brings it into view (Ranking.word_clicked)
        token = f"<a href='{i}' style='color:{muted if rough else colors(is_dark())['text']}'>{token}</a>"
    where = html.escape(words.where_words(a, i, in_text))
    if a.hidden(i):
        where = f"<i>{where}</i>"
    return f"{figure} {token} <span style='color:{muted}'>{where}</span>"


def in_its_place(a, i: int) -> str:
    """Token ``i`` in bold among the words either side of it (explain_words.neighbourhood), so
    two rows of one word tell which one they are; a token with nothing to read in it (a line
    break, a space) by its mark."""
    before, token, after = words.neighbourhood(a, i)
    shown = token.strip() or token_label(token)
    lead = " " if token[:1].isspace() and token.strip() and before else ""
    return (f"{html.escape(before.lstrip())}{lead}<b>{html.escape(shown)}</b>{html.escape(after.rstrip())}"
            .replace("\n", " "))


class Ranking(QWidget):
    """The ranking's parts, top to bottom: what the view puts over its caption (the attribution's bar and
    Cancel, which then keep their place as the caption grows), its caption, what the view puts under it (the
    Exact weights buttons), the hidden share's note, the rows, "Only
    what the chat shows", the toggle and, while it is on, the note on what the colours leave out.

    Attributes:
        estimate, previous_estimate: the running attribution's figures so far and the ones
            before them (a word whose place held in both has settled); None once it ended.
        final: the finished attribution shown, or None; in_text: it is of a Text mode token."""

    overlay_toggled = Signal(bool)  # show the attribution over the transcript
    word_clicked = Signal(int)  # a row's word was clicked: its index in the attribution

    def __init__(self, under_caption=(), parent=None, over_caption=()):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.estimate = self.previous_estimate = self.final = None
        # the last rough figures listed, with the estimate before them: (previous, estimate), or None. Kept on
        # screen once a later pass no longer adds up within words.ROUGH_SHOWN_MAX (usertest69: three words listed
        # after 17 passes gave way to "still too rough to show: about 46% off" after 33, as if withdrawn)
        self.listed = None
        self.in_text = False
        self.findable = lambda _a, _i: False  # the section's: whether token i of attribution a has a place on screen
        self.caption = styled_label("", "Muted", wrap=True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)  # what holds of figures that do not add up, in bold
        for widget in over_caption:
            layout.addWidget(widget)
        layout.addWidget(self.caption)
        for widget in under_caption:
            layout.addWidget(widget)
        self.hidden_note = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.hidden_note)
        self.rows = QLabel()
        self.rows.setTextFormat(Qt.TextFormat.RichText)
        self.rows.setWordWrap(True)
        self.rows.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                          | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.rows.linkActivated.connect(lambda href: self.word_clicked.emit(int(href)))
        layout.addWidget(self.rows)
        layout.addWidget(self._build_shown_only())
        layout.addWidget(self._build_toggle())
        self.overlay_note = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.overlay_note)

    def _build_shown_only(self) -> QCheckBox:
        self.shown_only = QCheckBox(words.SHOWN_ONLY_WORDS)
        self.shown_only.setToolTip(SHOWN_ONLY_TIP)
        # on by default (usertest 8: 77% of the weight on template newlines led the ranking and
        # told a new user nothing); the hidden share is still said above it, and one click shows them
        self.shown_only.setChecked(True)
        self.shown_only.toggled.connect(self.rerank)
        return self.shown_only

    def _build_toggle(self) -> QCheckBox:
        self.toggle = QCheckBox(OVER_THE_CONVERSATION)
        self.toggle.setToolTip("Colour every earlier token by how much it pushed towards this token (orange) "
                               "or towards the alternative (pink)")
        self.toggle.toggled.connect(self.overlay_toggled)
        self.toggle.toggled.connect(self._show_overlay_note)
        return self.toggle

    # ------------------------------------------------------------ a new token, a new run
    def untick(self, in_text: bool) -> None:
        """A new token: the toggle off (without painting anything) and named for where it paints."""
        self.toggle.setText(OVER_THE_TEXT if in_text else OVER_THE_CONVERSATION)
        self.toggle.blockSignals(True)
        self.toggle.setChecked(False)
        self.toggle.blockSignals(False)

    def clear(self) -> None:
        """Nothing worked out yet: every part hidden, the figures forgotten."""
        self.estimate = self.previous_estimate = self.final = self.listed = None
        self.in_text = False
        for widget in (self.caption, self.hidden_note, self.rows, self.shown_only, self.toggle, self.overlay_note):
            widget.hide()

    def working(self, in_text: bool) -> None:
        """The layer grid is in; the attribution runs. The caption waits for figures: the progress line under
        the bar already says what runs (two near-identical "Working out…" lines read as a glitch, text67)."""
        self.in_text = in_text
        self.caption.hide()
        self.rows.hide()
        self.toggle.hide()

    def stopped(self, started: bool) -> None:
        """The run stopped: its figures so far stay, for what they are worth. ``started``: the
        layer grid had come (else the caption was never shown)."""
        if self.estimate is not None and self._keeps_listed(self.estimate):
            self.caption.setText(html.escape(words.stopped_listed_words(self.listed[1], self.estimate)))
        elif self.estimate is not None:
            self.caption.setText(html.escape(words.stopped_words(self.estimate)))
        elif started:
            self.caption.setText("Which earlier words led here: not worked out.")
            self.caption.show()

    def waits_for_answer(self) -> None:
        """Paused for an answer: the figures so far stay, and it goes on from them."""
        if self.estimate is not None:
            self.caption.setText(html.escape(words.paused_words(self.estimate)))
        else:
            self.caption.setText("Which earlier tokens led here: worked out once the answer ends.")
            self.caption.show()

    def goes_on(self) -> None:
        """The paused run goes on: the figures so far stay on screen until the next ones come."""
        if self.estimate is not None:
            self._show_rough(self.estimate)
        else:
            self.caption.hide()  # the progress line says what runs

    @property
    def figures_shown(self) -> bool:
        """Rough figures of a stopped run are on screen."""
        return not self.rows.isHidden() and self.estimate is not None

    # ------------------------------------------------------------ the figures
    def show_estimate(self, a) -> None:
        """The figures so far: none while they are too rough to mean anything, then greyed and
        rounded, only the words whose place has settled."""
        self.previous_estimate, self.estimate = self.estimate, a
        self._show_rough(a)

    def _show_rough(self, a) -> None:
        named = with_token_labels(a)
        self.caption.setToolTip("")
        self.rows.setToolTip(f"{words.ROUGH_TIP} {words.FIND_WORD_TIP}")
        self.hidden_note.hide()  # its share is of figures not settled yet
        self.caption.show()
        if self._keeps_listed(a):
            self._show_listed(a)
            return
        if not words.estimate_settled(a):
            self.caption.setText(html.escape(words.estimate_words(named)))
            self.rows.hide()
            self.shown_only.hide()
            return
        top = a.top(TOP_CONTRIBUTORS, shown_only=self._shown_only())
        settled = words.settled_top(self.previous_estimate, a, top)
        self.caption.setText(html.escape(words.estimate_words(named, len(settled), len(top))))
        self._show_shown_only(a)
        self.rows.setText(ranking_rows(a, settled, self.in_text, None, self.findable))
        self.rows.setVisible(bool(settled))
        if settled:
            self.listed = (self.previous_estimate, a)

    def _keeps_listed(self, a) -> bool:
        """Figures ``a`` too rough to list, after rough ones were listed: those stay."""
        return self.listed is not None and not words.estimate_settled(a) and bool(self._listed_top())

    def _listed_top(self) -> list[int]:
        """The words of the last rough list, ranked as "Only what the chat shows" says now."""
        previous, shown = self.listed
        return words.settled_top(previous, shown, shown.top(TOP_CONTRIBUTORS, shown_only=self._shown_only()))

    def _show_listed(self, now) -> None:
        """The last rough list again, greyed as it was, under words that say it is rough and how far off the
        figures of pass ``now`` read."""
        shown = self.listed[1]
        top = shown.top(TOP_CONTRIBUTORS, shown_only=self._shown_only())
        settled = self._listed_top()
        self.caption.setText(html.escape(words.listed_rough_words(with_token_labels(shown), now, len(settled),
                                                                  len(top))))
        self._show_shown_only(shown)
        self.rows.setText(ranking_rows(shown, settled, self.in_text, None, self.findable))
        self.rows.show()

    def show_final(self, result) -> bool:
        """The finished attribution of ``result`` (a core.explain.Explanation); True when its
        figures are doubtful (they do not add up on these weights: Exact weights may help)."""
        a, self.in_text = result.attribution, result.context.in_text
        self.estimate = self.previous_estimate = self.listed = None
        self.final = a
        unsure = words.doubtful(result)
        self.final_verdict = (unsure, result.precision)  # the caption again when the rows change
        self._show_caption(a, unsure, result.precision)
        for widget in (self.caption, self.rows, self.toggle):
            widget.show()
        self._show_shown_only(a)
        self._show_ranking(a)
        self._show_overlay_note()
        return unsure

    def _show_caption(self, a, unsure: bool, precision: str | None) -> None:
        named = with_token_labels(a)
        caption = html.escape(words.contributions_caption(named))
        if unsure:
            caption += f" {words.doubtful_words(a, precision, a.top(TOP_CONTRIBUTORS, shown_only=self._shown_only()))}"
        elif not a.complete:
            caption += f" {html.escape(words.loose_words(a))}"
        self.caption.setText(caption)
        self.caption.setToolTip(words.contributions_tip(named))
        self.rows.setToolTip(f"{words.contributions_tip(named)} {words.FIND_WORD_TIP}")

    def _shown_only(self) -> bool:
        return self.shown_only.isChecked()

    def _show_shown_only(self, a) -> None:
        """The tick box where hidden text took weight (in Text mode: the start token), or where it was unticked
        (so it can be ticked back); named for where it is."""
        self.shown_only.setText(words.shown_only_words(self.in_text))
        self.shown_only.setToolTip(SHOWN_ONLY_TEXT_TIP if self.in_text else SHOWN_ONLY_TIP)
        self.shown_only.setVisible(a.hidden_share() >= words.HIDDEN_NOTE_MIN or not self.shown_only.isChecked())

    def _show_ranking(self, a) -> None:
        """The top contributors, and above them how much weight hidden text took."""
        top = a.top(TOP_CONTRIBUTORS, shown_only=self._shown_only())
        left_out = len([i for i in a.top(TOP_CONTRIBUTORS) if i not in top]) if self._shown_only() else None
        note = words.hidden_note(a, left_out, self.in_text)
        self.hidden_note.setText(note or "")
        self.hidden_note.setVisible(note is not None)
        self.rows.setText(ranking_rows(a, top, self.in_text, attribution_scale(a), self.findable))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.rerank()  # the figures' chips in the new theme's attribution colours

    def rerank(self, _on: bool = False) -> None:
        """"Only what the chat shows" changed: the ranking shown again, finished or rough."""
        if self.final is not None:
            self._show_caption(self.final, *self.final_verdict)  # what holds is said of the rows shown
            self._show_ranking(self.final)
        elif self.estimate is not None:
            self._show_rough(self.estimate)

    def _show_overlay_note(self, _on: bool = False) -> None:
        """Under the toggle, while it is on: the weight the colours over the chat cannot show."""
        note = None
        if self.toggle.isChecked() and self.final is not None:
            note = words.overlay_note(self.final, self.in_text)
        self.overlay_note.setText(note or "")
        self.overlay_note.setVisible(note is not None)
