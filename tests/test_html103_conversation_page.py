"""html103: a whole conversation as one web page (core/conversation_html.py), through `history ID --export FILE.html`:
every turn in order, answers on their tokens' colours with their figures, a scored prompt coloured and an unscored
one plain, each answer's model and named adapter, ratings (▲ ▼) and a better answer under its answer, all escaped."""

from __future__ import annotations

import json
import math
import re

from desktop_app.cli import main
from desktop_app.core.conversation_export import conversation_text
from desktop_app.core.palette import color_for, css_colours
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.store import Store

from tests.test_html100_heatmap_html import parsed


def record(token_id: int, text: str, prob: float) -> TokenRecord:
    return TokenRecord(token_id, text, math.log(prob), 1, 1.0, (Alternative(token_id, text, prob),))


ANSWER_ONE = [record(1, " Paris", 0.9), record(2, " <b>is</b>", 0.02), record(3, " lovely.", 0.4)]
ANSWER_TWO = [record(4, " No", 0.3), record(5, " & yes", 0.05)]
PROMPT_TWO = [record(7, " Are", 0.2), record(8, " you sure?", 0.01)]  # after "Hey," which nothing predicts


def conversation(db: str) -> int:
    """Two turns: an answer by a named adapter rated up, a scored prompt, an answer by the base model rated down
    and corrected."""
    with Store.open(db) as store:
        adapter = store.add_adapter(db + "-adapter", base_model="gpt2")
        store.rename_adapter(adapter, "terse")
        cid = store.create_conversation("Capital <of> France")
        one = store.add_message(cid, "user", "What is the capital <of> France?")
        first = store.add_message(cid, "assistant", "".join(r.text for r in ANSWER_ONE), parent_id=one,
                                  model_id="folder:/home/ann/models/gpt2", adapter_id=adapter)
        store.set_token_records(first, ANSWER_ONE)
        store.rate_message(first, 1)
        two = store.add_message(cid, "user", "Hey, Are you sure?", parent_id=first)
        store.set_token_records(two, PROMPT_TWO, kind="rescored", model_id="gpt2")
        second = store.add_message(cid, "assistant", "".join(r.text for r in ANSWER_TWO), parent_id=two,
                                   model_id="gpt2")
        store.set_token_records(second, ANSWER_TWO)
        store.rate_message(second, -1)
        store.set_correction(second, "Yes <really>.")
    return cid


def sections(page: str) -> list[str]:
    return re.findall(r"<section class=\"turn[^\"]*\">(.*?)</section>", page, flags=re.S)


def test_every_turn_in_order_coloured_rated_and_named(tmp_path):
    db = str(tmp_path / "c.sqlite3")
    cid = conversation(db)
    with Store.open(db) as store:
        page = conversation_text(store, cid, "html")
    tree = parsed(page)
    assert tree.faults == [] and tree.open == []
    turns = sections(page)
    assert len(turns) == 4
    assert "What is the capital &lt;of&gt; France?" in turns[0] and "class=\"t\"" not in turns[0]  # unscored: plain
    assert "gpt2 (adapter 1 \u201cterse\u201d)" in turns[1] and "\u25b2" in turns[1]
    assert "Hey," in turns[2] and "you sure?" in turns[2] and "<h2>You</h2>" in turns[2]
    assert "\u25bc" in turns[3] and "Your better answer" in turns[3] and "Yes &lt;really&gt;." in turns[3]
    assert "gpt2 (the base model)" in turns[3]
    records = ANSWER_ONE + PROMPT_TWO + ANSWER_TWO
    assert [s["text"] for s in tree.spans] == [r.text for r in records]
    for span, rec in zip(tree.spans, records):
        assert span["style"].startswith(f"--b:{css_colours(color_for(rec, 'probability'))[0]};")
    figures = json.loads(tree.scripts["figures"])
    assert len(figures) == len(records) and "<b>is</b>" in figures[1][0]
    # one Tab stop per coloured text: three texts, three stops
    assert [s["tabindex"] for s in tree.spans].count("0") == 3
    assert "<b>is</b>" not in page.split("<script")[0] and "/home/ann" not in page


def test_history_export_writes_the_page_for_an_html_name(tmp_path, capsys):
    db = str(tmp_path / "h.sqlite3")
    cid = conversation(db)
    out = tmp_path / "chat.html"
    assert main(["--db", db, "history", str(cid), "--export", str(out)]) == 0
    assert "wrote conversation" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["--db", db, "history", str(cid), "--export", str(tmp_path / "chat.txt")]) == 2
    assert "--out chat.txt: history writes .json" in capsys.readouterr().err


def test_a_conversation_without_any_figures_is_a_page_of_plain_turns(tmp_path):
    with Store.open(str(tmp_path / "p.sqlite3")) as store:
        cid = store.create_conversation("Plain")
        q = store.add_message(cid, "user", "hello")
        store.add_message(cid, "assistant", "imported </script> answer", parent_id=q)
        page = conversation_text(store, cid, "html")
    tree = parsed(page)
    assert tree.faults == [] and tree.spans == [] and json.loads(tree.scripts["figures"]) == []
    assert "imported &lt;/script&gt; answer" in page and "Colours:" not in page
