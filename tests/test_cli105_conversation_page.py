"""cli105: `history ID --out chat.html` picks its branch (--branch MESSAGE_ID, a message `history ID` lists) and its
colours (--measure, the window's heatmap choices); it had written the newest branch, by probability, only."""

from __future__ import annotations

import math

from desktop_app.cli import main
from desktop_app.core.conversation_export import branch_through
from desktop_app.core.palette import color_for, css_colours
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.store import Store

from tests.test_html100_heatmap_html import parsed


def record(token_id: int, text: str, prob: float, rank: int) -> TokenRecord:
    return TokenRecord(token_id, text, math.log(prob), rank, 2.0, (Alternative(token_id, text, prob),))


OLDER = [record(1, " Paris", 0.9, 1), record(2, " maybe", 0.02, 40)]
FOLLOW_UP = [record(3, " Sure", 0.5, 2)]
NEWER = [record(4, " Lyon", 0.3, 500), record(5, " surely", 0.05, 3000)]


def branched(db: str) -> dict:
    """q1 -> older -> q2 -> follow-up, and q1 -> newer (the newest message: the branch the window opens on)."""
    with Store.open(db) as store:
        cid = store.create_conversation("Capitals")
        q1 = store.add_message(cid, "user", "Capital of France?")
        older = store.add_message(cid, "assistant", " Paris maybe", parent_id=q1, model_id="gpt2")
        store.set_token_records(older, OLDER)
        q2 = store.add_message(cid, "user", "Certain?", parent_id=older)
        follow = store.add_message(cid, "assistant", " Sure", parent_id=q2, model_id="gpt2")
        store.set_token_records(follow, FOLLOW_UP)
        newer = store.add_message(cid, "assistant", " Lyon surely", parent_id=q1, model_id="gpt2")
        store.set_token_records(newer, NEWER)
        return {"cid": cid, "q1": q1, "older": older, "q2": q2, "follow": follow, "newer": newer,
                "messages": store.messages(cid)}


def page(db: str, cid: int, out, *options: str) -> str:
    assert main(["--db", db, "history", str(cid), "--out", str(out), *options]) == 0
    return out.read_text(encoding="utf-8")


def test_the_branch_named_is_the_one_written(tmp_path, capsys):
    db = str(tmp_path / "b.sqlite3")
    c = branched(db)
    assert [m["id"] for m in branch_through(c["messages"], c["older"])] == [c["q1"], c["older"], c["q2"], c["follow"]]
    assert [m["id"] for m in branch_through(c["messages"], c["newer"])] == [c["q1"], c["newer"]]
    assert branch_through(c["messages"], 999) == []
    newest = parsed(page(db, c["cid"], tmp_path / "newest.html"))
    assert [s["text"] for s in newest.spans] == [r.text for r in NEWER]
    older = parsed(page(db, c["cid"], tmp_path / "older.html", "--branch", str(c["older"])))
    assert [s["text"] for s in older.spans] == [r.text for r in OLDER + FOLLOW_UP]
    markdown = page(db, c["cid"], tmp_path / "older.md", "--branch", str(c["q2"]))
    assert "Certain?" in markdown and "Lyon" not in markdown


def test_measure_colours_the_page_as_the_window_heatmap_does(tmp_path, capsys):
    db = str(tmp_path / "m.sqlite3")
    c = branched(db)
    for measure in ("rank", "surprisal"):
        tree = parsed(page(db, c["cid"], tmp_path / f"{measure}.html", "--measure", measure))
        for span, rec in zip(tree.spans, NEWER, strict=True):
            assert span["style"].startswith(f"--b:{css_colours(color_for(rec, measure))[0]};")
    # the two measures colour " Lyon" differently: the option reached the page
    assert css_colours(color_for(NEWER[0], "rank")) != css_colours(color_for(NEWER[0], "probability"))


def test_wrong_branch_and_measure_without_a_page_are_refused(tmp_path, capsys):
    db = str(tmp_path / "r.sqlite3")
    c = branched(db)
    assert main(["--db", db, "history", str(c["cid"]), "--out", str(tmp_path / "x.html"), "--branch", "999"]) == 2
    assert f"conversation {c['cid']} has no message 999" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()
    assert main(["--db", db, "history", str(c["cid"]), "--out", str(tmp_path / "x.md"), "--measure", "rank"]) == 2
    assert "--measure colours the .html page" in capsys.readouterr().err
    assert main(["--db", db, "history", str(c["cid"]), "--branch", str(c["older"])]) == 2
    assert "add --out FILE" in capsys.readouterr().err


def test_change_colours_an_answer_by_its_rescoring_under_another_adapter(tmp_path, capsys):
    """--measure change: the answer re-scored under adapter 1 (as the compare view stores it after a fine-tune)
    coloured by its change from the answer as written; the answer never re-scored by its probability."""
    import json

    from desktop_app.core.palette import change_color

    db = str(tmp_path / "c.sqlite3")
    c = branched(db)
    rescored = [record(4, " Lyon", 0.6, 1), record(5, " surely", 0.01, 9000)]  # the same tokens, other figures
    with Store.open(db) as store:
        adapter = store.add_adapter(db + "-adapter", base_model="gpt2")
        store.rename_adapter(adapter, "terse")
        store.set_token_records(c["newer"], rescored, kind="rescored", adapter_id=adapter, model_id="gpt2")
    text = page(db, c["cid"], tmp_path / "change.html", "--measure", "change")
    tree = parsed(text)
    for span, after, before in zip(tree.spans, rescored, NEWER, strict=True):
        delta = after.logprob - before.logprob
        assert span["style"].startswith(f"--b:{css_colours(change_color(delta, 2.0))[0]};")
    figures = json.loads(tree.scripts["figures"])
    assert "before, under the base model" in figures[0][-1] and "terse" in figures[0][-1]
    assert "as written (the base model) against its re-scoring (adapter 1 \u201cterse\u201d)" in text
    older = parsed(page(db, c["cid"], tmp_path / "older.html", "--measure", "change", "--branch", str(c["older"])))
    for span, rec in zip(older.spans, OLDER + FOLLOW_UP, strict=True):  # never re-scored: by probability
        assert span["style"].startswith(f"--b:{css_colours(color_for(rec, 'probability'))[0]};")
