"""usertest 54 (an expert reading the inspector): a token that holds only part of a character (the
byte-level pieces of an emoji) showed "(part of a character)" and its id, never its bytes, so the
pieces could not be told apart nor checked against the tokenizer. The inspector now shows them
("bytes f0 9f"), read from the loaded model's tokenizer by a Qt-free core helper."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

TEXT = "I like it \U0001f600 a lot."  # the tiny model's byte-level vocabulary splits the emoji


def test_a_split_characters_pieces_show_their_bytes(qtbot, tiny_model):
    from desktop_app.core.decoding import token_texts
    from desktop_app.core.scoring import score_text
    from desktop_app.gui.inspector import InspectorPanel

    _ids, records = score_text(tiny_model, TEXT)
    pieces = [i for i, r in enumerate(records) if r.text == ""]
    assert pieces, "the emoji is split over several tokens"
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.tokenizer = lambda: tiny_model.tokenizer
    table = token_texts(tiny_model.tokenizer)
    shown = []
    for index in pieces:
        inspector.show_token(None, index, records[index], can_branch=False)
        assert not inspector.bytes_note.isHidden()
        shown.append(inspector.bytes_note.text())
        assert shown[-1] == "bytes " + table.token_bytes(records[index].id).hex(" ")
    completing = records[pieces[-1] + 1]
    written = bytes.fromhex(" ".join(s.removeprefix("bytes ") for s in shown)) + table.token_bytes(completing.id)
    assert "\U0001f600" in written.decode("utf-8")
    inspector.show_token(None, pieces[-1] + 1, completing, can_branch=False)
    assert inspector.bytes_note.isHidden(), "a token with text of its own needs no bytes"
