"""usertest 29 (an ML engineer checking the inspector against a plain transformers run): the inspector
showed no token id and nothing could be copied, so a figure could be checked only by retyping it.
It now shows the token's id and "Copy figures" puts the token's figures on the clipboard as JSON.
The token is " cat" of a text the bundled model scores; its figures are checked against the model's
own logits, read here with torch alone."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("PySide6")

TEXT = "The cat sat on the mat."


def plain_logprob(loaded, ids: list[int], at: int) -> float:
    """The log-probability of ids[at] after the start token plain text is read after and ids[:at],
    straight from the model's logits."""
    import torch

    from desktop_app.core.prompts import plain_text_start

    with torch.no_grad():
        logits = loaded.model(torch.tensor([plain_text_start(loaded.tokenizer) + ids[:at]])).logits[0, -1].float()
    return float(torch.log_softmax(logits, -1)[ids[at]])


def test_the_inspector_shows_the_token_id_and_copies_its_figures(qtbot, bundled_model):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.scoring import score_text
    from desktop_app.gui.inspector import InspectorPanel

    ids, records = score_text(bundled_model, TEXT)
    first = len(ids) - len(records)  # records start at the first scored token
    cat_id = bundled_model.tokenizer(" cat", add_special_tokens=False)["input_ids"][0]
    index = next(i for i, r in enumerate(records) if r.id == cat_id)
    record = records[index]
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    assert inspector.copy_button.isHidden()  # no token shown: nothing to copy
    inspector.show_token(None, index, record, can_branch=False)
    assert inspector.stat_values["token id"].text() == str(cat_id) and not inspector.copy_button.isHidden()

    QApplication.clipboard().clear()
    qtbot.mouseClick(inspector.copy_button, Qt.MouseButton.LeftButton)
    copied = json.loads(QApplication.clipboard().text())
    assert copied["index"] == index and copied["id"] == cat_id and copied["text"] == " cat"
    assert copied["rank"] == record.rank and [a["id"] for a in copied["top"]] == [a.id for a in record.top]
    assert copied["surprisal_bits"] == pytest.approx(-copied["logprob"] / math.log(2))
    assert copied["entropy_bits"] == pytest.approx(record.entropy / math.log(2))
    assert "entropy" not in copied, "one unit, named in its key (leftovers56: nats beside entropy_bits)"
    assert list(copied)[list(copied).index("rank") + 1] == "entropy_bits"
    assert copied["logprob"] == pytest.approx(plain_logprob(bundled_model, ids, first + index), abs=1e-3)



def test_copied_figures_keep_each_alternative_on_one_line():
    """usertest 54: each alternative took five lines of the copied JSON; now one line each, still JSON
    (a newline in a token's text stays escaped, so it cannot split a line)."""
    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.core.token_figures import token_figures_text

    top = (Alternative(262, " the", 0.4), Alternative(198, "\n", 0.2), Alternative(257, " a", 0.1))
    record = TokenRecord(id=3797, text=" cat", logprob=math.log(0.05), rank=9, entropy=3.1, top=top)
    text = token_figures_text(record, 4)
    copied = json.loads(text)
    assert copied["index"] == 4 and copied["id"] == 3797 and len(copied["top"]) == 3
    alternative_lines = [line.strip().rstrip(",") for line in text.splitlines() if line.strip().startswith("{\"id\"")]
    assert [json.loads(line) for line in alternative_lines] == copied["top"]
    assert len(text.splitlines()) == len(copied) + len(top) + 3  # a line a figure and an alternative, "{", "]", "}"
