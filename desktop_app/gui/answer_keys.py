"""Keys for the answer in hand: its thumbs and Regenerate (usertest26: a keyboard user Tabbed to each card's
thumbs, and had no key for Regenerate). Ctrl+Shift combinations and Ctrl+R, which type nothing in the prompt
box, take nothing from a text box's own keys (Qt's Ctrl+Shift+Up/Down select nothing on Linux or Windows) and
are in none of the window's other keys (shortcuts.SHORTCUTS). A key presses the card's own button, so it
does what a click does and shows it the same way; the status bar says which answer it acted on."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.core.word_cut import clip_at_word
from desktop_app.gui.off_words import ANSWERING, NO_TOKEN_TO_EXPLAIN

THUMB_UP_KEYS, THUMB_DOWN_KEYS, REGENERATE_KEYS = "Ctrl+Shift+Up", "Ctrl+Shift+Down", "Ctrl+R"
THUMB_KEY_NAMES = {1: "Ctrl+Shift+\u2191", -1: "Ctrl+Shift+\u2193"}  # as the tooltips name them
SAID_MS = 6000


def answer_in_hand(window):
    """The answer card the keys act on: the one holding the keyboard (its text, a thumb), else the one whose
    token the inspector shows, else the newest; None without an answer."""
    answers = [card for card in window.transcript.cards if card.role == "assistant"]
    focus = window.focusWidget()
    held = next((card for card in answers if focus is not None and card.isAncestorOf(focus)), None)
    if held is not None:
        return held
    return window.cards.selected if window.cards.selected in answers else (answers[-1] if answers else None)


def leave_answer_by_esc(window) -> bool:
    """Esc in an answer's tokens while no answer is being written: the keyboard back to the prompt, where
    ↓ below the newest answer also goes. The key did nothing there (usertest48). True where it went."""
    focus = window.focusWidget()
    in_tokens = focus is not None and any(card.view is focus or card.view.isAncestorOf(focus)
                                          for card in window.transcript.cards)
    if not in_tokens or window.chat.generating:  # while one is written, Esc stops it, wherever the keyboard is
        return False
    window.prompt.setFocus(Qt.FocusReason.OtherFocusReason)
    return True


def _asked(window, card) -> str:
    """"the answer to “…”", or "the answer" where its question is not on screen."""
    cards = window.transcript.cards
    before = cards[:cards.index(card)] if card in cards else []
    question = next((c for c in reversed(before) if c.role == "user" and c.message is not None), None)
    return f"the answer to \u201c{clip_at_word(question.message['text'], 40)}\u201d" if question else "the answer"


def thumb_by_key(window, value: int) -> None:
    """Ctrl+Shift+Up / Down: the in-hand answer's thumb pressed (again: cleared, as a second click)."""
    say = window.statusBar().showMessage
    if window.mode == "text":
        thumb_continuation_by_key(window, value)
        return
    if window.mode != "chat":
        say("Thumbs by key rate the chat's answers: Ctrl+1 for the chat", SAID_MS)
        return
    card = answer_in_hand(window)
    rating = getattr(card, "rating", None)
    button = None if rating is None else rating.up if value > 0 else rating.down
    if button is None or button.isHidden() or not button.isEnabled():
        say("No answer to rate yet" if button is None or button.isHidden() else button.toolTip(), SAID_MS)
        return
    button.click()
    window.transcript.ensureWidgetVisible(button)
    rated = "good" if value > 0 else "bad"
    said = f"Rated {_asked(window, card)} {rated} ({THUMB_KEY_NAMES[value]} again clears it)" if rating.value \
        else f"Cleared the rating of {_asked(window, card)}"
    say(said, SAID_MS)


def thumb_continuation_by_key(window, value: int) -> None:
    """In the Text tab: the shown continuation's thumb, as Ctrl+R presses its Regenerate (usertest30: the keys
    said "Ctrl+1 for the chat" beside the Text tab's own thumbs, on and in view). Off: the button's reason."""
    say = window.statusBar().showMessage
    panel = window.text_view.branch_panel
    button = panel.up_button if value > 0 else panel.down_button
    if not button.isEnabled():
        say(button.toolTip(), SAID_MS)
        return
    button.click()
    if button.isChecked():  # a checkable button: a second press unchecks it, as the rating it clears
        rated = "good" if value > 0 else "bad"
        say(f"Rated the continuation shown {rated} ({THUMB_KEY_NAMES[value]} again clears it)", SAID_MS)
    else:
        say("Cleared the rating of the continuation shown", SAID_MS)


def regenerate_by_key(window) -> None:
    """Ctrl+R: a new answer in place of the in-hand one (the newest: what Regenerate does); in the Text tab,
    its Regenerate. Where that is off, the status bar says why, as the button's tooltip does."""
    say = window.statusBar().showMessage
    if window.mode == "text":
        button = window.text_view.regenerate_button
        if button.isEnabled():
            button.click()
        else:
            say(button.toolTip(), SAID_MS)
        return
    card = answer_in_hand(window)
    if card is None or card.message is None or not window.regenerate_button.isEnabled():
        say(window.regenerate_button.toolTip(), SAID_MS)
        return
    focus = window.focusWidget()
    if focus is not None and card.isAncestorOf(focus):
        # the card goes with its answer: the keyboard would fall to the first Tab stop (usertest 11)
        window.prompt.setFocus(Qt.FocusReason.ShortcutFocusReason)
    window.error_banner.hide()
    if window.chat.regenerate_answer(card.message):
        window.warn_if_same_again()


def forget_busy_line(window, busy_words: str = ANSWERING) -> None:
    """The status bar's "An answer is being written: wait for it …" (``busy_words``; a continuation's: WRITING),
    said when a key was refused mid-answer, goes once the writing ends: it stayed its six seconds over a stopped
    answer and on into the Text tab, telling the person to wait for nothing (usertest30)."""
    bar = window.statusBar()
    if bar.currentMessage().startswith(busy_words):
        bar.clearMessage()



def explain_by_key(window) -> None:
    """Ctrl+I (off_words.EXPLAIN_KEYS): "Why this token?" on the token the inspector shows (the one selected in
    Chat or in Text), by pressing its button, so it does what a click does; the inspector comes into view. Where
    the button is off, the status bar says why (its tooltip's words); with no token, which to pick."""
    explain = window.inspector.explain
    say = window.statusBar().showMessage
    if explain.message_id is None and not explain.in_text:
        say(NO_TOKEN_TO_EXPLAIN, SAID_MS)
        return
    window.finetune_side.show_inspector(clicked=True)
    if not explain.button.isEnabled():
        say(explain.button.toolTip(), SAID_MS)
        return
    explain.button.click()
