"""The Tab order of the window (user test 2, finding 13): from the prompt box, the answer just
shown is a few Tabs away, then the right-hand panel.

    prompt -> Send, Stop, Regenerate -> "Answer it" on a last prompt left without an answer -> the
    newest answer (its text, Compare, thumbs, "Write a better answer", Continue / Regenerate when
    interrupted, the sibling arrows, its export button)
    -> the model and Settings buttons -> the right panel's tabs and what they hold -> the
    rest (toolbar, left to right; conversations, colours, older cards as they are read) in the
    window's widget order -> the prompt again.

Qt's own order is the order widgets were made, so answer cards (made last) came after
everything else, about 8 Tabs from the prompt. Rewiring Qt's chain with setTabOrder each time
a card comes and goes left older cards in odd places (and can split the chain into loops), so
the window asks ``step`` instead whenever Tab or Shift+Tab moves the focus.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QScrollArea, QWidget


def card_stops(card) -> list[QWidget]:
    """A card's Tab stops in the order a person reads it (the text first, its export last)."""
    rating = getattr(card, "rating", None)
    stops = [card.view]
    if rating is not None:
        stops += [rating.compare_button, rating.up, rating.down, rating.correct_button]  # left to right
    stops += [getattr(card, "continue_button", None), getattr(card, "regenerate_button", None),
              getattr(card, "answer_button", None),
              card.prev_button, card.next_button, card.export_button, card.edit_button]
    return [w for w in stops if w is not None]


def _qt_chain(window) -> list[QWidget]:
    """Every widget Tab may stop at, in Qt's own order: the window's widgets as they were made and
    placed, depth first (a popup's are its own window's).

    Not by walking ``nextInFocusChain()``: PySide keeps the widget that call returns as a child of
    the widget it was asked of (its return-value heuristic), so a walk chained every widget to the
    one before it, and when one of those went (a panel's rows rebuilt), the Python side of every
    Qt-made widget after it went too: the status bar's, whose MessageRoom then stopped making room
    for a hovered token's figures (ux10 F13 after an adapter's Delete and Undo, in a real window)."""
    return [w for w in window.findChildren(QWidget)
            if w.window() is window and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.focusProxy() is None]  # proxies: their proxy is a stop


def _cards_as_read(window, chain: list[QWidget]) -> list[QWidget]:
    """``chain`` with each card's stops in ``card_stops`` order, where its first stop was (the
    tree lists a card's buttons in the order they were made: "Write a better answer" before the
    thumbs)."""
    card_of = {id(w): card for card in window.transcript.cards for w in card_stops(card)}
    out, placed = [], set()
    for widget in chain:
        card = card_of.get(id(widget))
        if card is None:
            out.append(widget)
        elif id(card) not in placed:
            placed.add(id(card))
            out += card_stops(card)
    return out


def _toolbar_as_seen(window, chain: list[QWidget]) -> list[QWidget]:
    """``chain`` with the View toolbar's stops left to right, in the places they held. Qt's order is the order
    they were made: the two panel toggles first, then the export and help buttons put between them, so Tab went
    from the list's toggle at the far left to the panel's at the far right and back (usertest33)."""
    bar = getattr(window, "view_toolbar", None)
    if bar is None:
        return chain
    places = [i for i, widget in enumerate(chain) if bar.isAncestorOf(widget)]
    seen = sorted((chain[i] for i in places), key=lambda widget: widget.mapTo(bar, QPoint(0, 0)).x())
    out = list(chain)
    for place, widget in zip(places, seen):
        out[place] = widget
    return out


def _panel_as_seen(window, chain: list[QWidget]) -> list[QWidget]:
    """``chain`` with the Fine-tune panel's stops in reading order, in the places they held. Qt's order is the order
    they were made, and a run's card is moved above "Fine-tune on my ratings" when it asks something: Tab reached
    "Keep" and "Use it anyway" only after that button, below them, and "Use it anyway" before "Keep", at its left
    (leftovers61)."""
    panel = getattr(window, "finetune_panel", None)
    content = panel.widget() if panel is not None else None
    if content is None:
        return chain
    places = [i for i, widget in enumerate(chain) if content.isAncestorOf(widget)]
    seen = as_read([chain[i] for i in places], content)
    out = list(chain)
    for place, widget in zip(places, seen):
        out[place] = widget
    return out


def as_read(widgets: list[QWidget], area: QWidget) -> list[QWidget]:
    """``widgets`` (inside ``area``) top to bottom, a row left to right: a widget whose middle is level with a row
    already started joins it (a row's buttons of unequal heights). Hidden ones, which Tab skips, keep to the end."""
    shown = sorted((w for w in widgets if w.isVisibleTo(area)), key=lambda w: w.mapTo(area, QPoint(0, 0)).y())
    rows: list[tuple[int, list[QWidget]]] = []  # (the row's bottom, its widgets)
    for widget in shown:
        top = widget.mapTo(area, QPoint(0, 0)).y()
        if rows and top + widget.height() // 2 < rows[-1][0]:
            rows[-1][1].append(widget)
        else:
            rows.append((top + widget.height(), [widget]))
    ordered = [w for _, row in rows for w in sorted(row, key=lambda w: w.mapTo(area, QPoint(0, 0)).x())]
    return ordered + [w for w in widgets if w not in ordered]


def ring(window) -> list[QWidget]:
    """The whole Tab order, as in the module docstring."""
    chain = _cards_as_read(window, _panel_as_seen(window, _toolbar_as_seen(window, _qt_chain(window))))
    latest = next((c for c in reversed(window.transcript.cards) if c.role == "assistant"), None)
    first = [window.prompt, window.send_button, window.stop_button, window.regenerate_button]
    unanswered = getattr(window.transcript.cards[-1], "answer_button", None) if window.transcript.cards else None
    first += [unanswered] if unanswered is not None else []  # "Answer it" on a prompt left without one
    first += card_stops(latest) if latest is not None else []
    first += [window.model_button, window.settings_button, window.side_tabs.tabBar()]
    first += [w for w in chain if window.side_tabs.isAncestorOf(w) and w not in first]
    head = set(first)
    return first + [w for w in chain if w not in head]


def _reachable(widget: QWidget) -> bool:
    return widget.isVisible() and widget.isEnabled() and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def step(window, forward: bool) -> bool:
    """Move the focus to the next (or previous) stop of ``ring``; False when the focus is
    somewhere the ring does not know (Qt's own order then applies)."""
    stops = ring(window)
    focus = window.focusWidget()
    while focus is not None and focus not in stops:  # a part of a stop (a viewport, a line in a box)
        focus = focus.parentWidget()
    if focus is None:
        return False
    at = stops.index(focus)
    for offset in range(1, len(stops) + 1):
        candidate = stops[(at + offset if forward else at - offset) % len(stops)]
        if _reachable(candidate):
            reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
            candidate.setFocus(reason)
            _scroll_into_view(candidate)
            return True
    return False


def _scroll_into_view(widget: QWidget) -> None:
    """A stop inside a scroll area (the Fine-tune panel) is scrolled into view, as Qt's own Tab does."""
    area = widget.parentWidget()
    while area is not None and not (isinstance(area, QScrollArea) and area.widget() is not None
                                    and area.widget().isAncestorOf(widget)):
        area = area.parentWidget()
    if area is not None:
        area.ensureWidgetVisible(widget)


def make_tab_stop(*widgets: QWidget) -> None:
    """Buttons Qt leaves out of the Tab order (a toolbar's) become stops."""
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.TabFocus)
