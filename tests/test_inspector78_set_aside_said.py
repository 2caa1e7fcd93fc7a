"""inspector78, finding 2: "Continue with “2”" emptied the inspector, and the "Why this token?" running for
the token shown was set aside without a word (going back took it up again). The empty panel now says which
token's explanation waits, and where it goes on; once it is taken up again the panel's words are as before."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from desktop_app.gui.inspector_words import PLACEHOLDER  # noqa: E402


def _record() -> TokenRecord:
    top = (Alternative(7, " 3", 0.5), Alternative(8, " 2", 0.25))
    return TokenRecord(7, " 3", math.log(0.5), 1, 1.2, top)


def test_the_emptied_inspector_says_which_explanation_was_set_aside_until_it_is_taken_up(qtbot):
    from desktop_app.gui.inspector import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    asked = []
    panel.explain.requested.connect(lambda message_id, index: asked.append((message_id, index)))
    panel.show_token(4, 2, _record(), can_branch=True)
    panel.explain.ask()
    panel.explain.running(lambda: None)  # its run is on the model lane, as the window's wiring says
    panel.clear()  # the branch's answer starts: the card of the token is gone
    said = panel.placeholder.text()
    assert said.startswith(PLACEHOLDER) and not panel.placeholder.isHidden()
    assert "Explaining \u201c\u24233\u201d was set aside" in said and "come back to that answer's token" in said, said
    panel.show_token(4, 2, _record(), can_branch=True)  # back on it: taken up again
    assert asked == [(4, 2), (4, 2)] and panel.explain.set_aside is None
    panel.clear()
    assert panel.placeholder.text() == PLACEHOLDER


def test_an_inspector_emptied_with_nothing_running_says_only_its_first_line(qtbot):
    from desktop_app.gui.inspector import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.show_token(4, 2, _record(), can_branch=True)
    panel.clear()
    assert panel.placeholder.text() == PLACEHOLDER
