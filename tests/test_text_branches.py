"""The tree of continuations (Loom) without Qt: the v4 -> v5 migration, branches (create,
path, switch, rename, delete, make main), ratings of continuations as plain-text training
examples (no chat template), a fine-tune on them, and TRL's standard export format."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys

import pytest

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core import text_training
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.paths import AppPaths
from desktop_app.core.prompts import plain_text_start
from desktop_app.core.store import Store, StoreError
from desktop_app.core.store_schema import SCHEMA_VERSION, migrate
from desktop_app.core.train_counts import readiness
from desktop_app.core.train_data import build_training_data

MAIN = "Once upon a time there was a small model"


def tree(store, doc):
    return documents.get_document(store, doc)["text"], {b["id"]: b for b in tb.branches(store, doc)}


def path(store, doc, branch_id):
    main, by_id = tree(store, doc)
    return tb.path_text(main, by_id, branch_id)


def test_a_version_4_file_gains_branches_and_keeps_its_documents(tmp_path):
    file = tmp_path / "v4.sqlite3"
    conn = sqlite3.connect(file, isolation_level=None)
    migrate(conn, target=4)  # a file as the documents' version left it
    t = "2025-01-01T00:00:00.000000+00:00"
    conn.execute("INSERT INTO documents VALUES (1, 'Old text', 'Kept word for word.', ?, ?)", (t, t))
    conn.execute("INSERT INTO conversations VALUES (1, 'Old chat', ?, ?)", (t, t))
    conn.close()

    store = Store.open(file)
    assert store.schema_version == SCHEMA_VERSION >= 5
    assert documents.get_document(store, 1)["text"] == "Kept word for word."
    assert store.get_conversation(1)["title"] == "Old chat"
    assert tb.branches(store, 1) == [] and tb.shown_branch(store, 1) is None
    b = tb.add_branch(store, 1, None, 4, " and more")
    assert path(store, 1, b) == "Kept and more"
    assert store.integrity_check() == ["ok"]
    store.close()
    store = Store.open(file)
    assert tb.get_branch(store, b)["text"] == " and more"
    store.close()


def test_branches_paths_rename_delete(tmp_path):
    store = Store.open(tmp_path / "b.sqlite3")
    doc = documents.create_document(store, MAIN)
    a = tb.add_branch(store, doc, None, len(MAIN), " that wrote stories.")
    a1 = tb.add_branch(store, doc, a, len(MAIN) + len(" that wrote"), " poems.")
    sibling = tb.add_branch(store, doc, None, len(MAIN), " that could not count.")
    assert path(store, doc, a1) == MAIN + " that wrote poems."
    assert path(store, doc, sibling) == MAIN + " that could not count."
    main, by_id = tree(store, doc)
    pieces = tb.segments(main, by_id, a1)
    assert [p[0] for p in pieces] == [None, a, a1]
    assert tb.owner_at(main, by_id, a1, 2) is None and tb.owner_at(main, by_id, a1, len(MAIN) + 2) == a
    # a branch from a point inside ``a``'s text hangs off ``a``; from inside the main text, off the main text
    assert tb.attach_point(by_id, a1, len(MAIN) + 3) == a and tb.attach_point(by_id, a1, 5) is None
    tb.rename_branch(store, a, "Stories")
    assert tb.label(tb.get_branch(store, a)) == "Stories" and tb.label(tb.get_branch(store, a1)) == "poems."
    tb.show_branch(store, doc, a1)
    assert tb.shown_branch(store, doc) == a1
    tb.delete_branch(store, a)  # and what grew from it
    assert [b["id"] for b in tb.branches(store, doc)] == [sibling]
    assert tb.shown_branch(store, doc) is None
    with pytest.raises(StoreError):
        tb.add_branch(store, doc, a, 0, "x")
    tb.rate_branch(store, sibling, 1)
    documents.delete_document(store, doc)  # its branches and their ratings go with it
    assert store._one("SELECT COUNT(*) FROM text_branches")[0] == 0
    assert store._one("SELECT COUNT(*) FROM text_ratings")[0] == 0
    store.close()


def test_make_main_keeps_every_path(tmp_path):
    store = Store.open(tmp_path / "m.sqlite3")
    doc = documents.create_document(store, MAIN)
    a = tb.add_branch(store, doc, None, len(MAIN), " that wrote stories.")
    early = tb.add_branch(store, doc, None, len("Once upon a time"), ", in a lab, a model grew.")
    cut = tb.add_branch(store, doc, None, 4, " more")  # starts in text both mains share
    before = {b: path(store, doc, b) for b in (a, early, cut)}
    tb.make_main(store, doc, early)
    assert documents.get_document(store, doc)["text"] == before[early]
    former = [b for b in tb.branches(store, doc) if b["kind"] == "former"]
    assert len(former) == 1 and path(store, doc, former[0]["id"]) == MAIN
    for b, text in before.items():  # nothing changed its text: the old main text is a branch now
        assert path(store, doc, b) == text
    assert tb.get_branch(store, a)["parent_id"] == former[0]["id"] and tb.get_branch(store, cut)["parent_id"] is None
    store.close()


def test_continuation_records_give_tokens_and_mean_probability(tiny_model, tmp_path):
    store = Store.open(tmp_path / "c.sqlite3")
    doc = documents.create_document(store, MAIN)
    gen = documents.continue_text(tiny_model, MAIN, SamplingSettings(max_new_tokens=6, seed=3))
    b = tb.add_branch(store, doc, None, len(MAIN), gen.text, records=gen.records, model_id=tiny_model.model_id)
    branch = tb.get_branch(store, b)
    assert [t[0] for t in branch["tokens"]] == [r.id for r in gen.records]
    assert branch["mean_prob"] == pytest.approx(sum(r.prob for r in gen.records) / len(gen.records))
    second = len(gen.records[0].text)
    assert tb.written_token_at(branch, second) == 1 if gen.records[1].text else True
    tb.set_branch_text(store, b, "\u00a7" + branch["text"][1:])
    assert tb.written_token_at(tb.get_branch(store, b), 0) is None  # edited in its first token: none says where
    tb.set_branch_text(store, b, branch["text"] + " edited")
    assert tb.written_token_at(tb.get_branch(store, b), 0) == 0  # edited after its tokens: they still say where
    store.close()


def rated_store(tmp_path, tiny_model):
    """A document with three continuations: liked, disliked (its sibling) with a better
    text, and one with two token ratings."""
    store = Store.open(tmp_path / "r.sqlite3")
    doc = documents.create_document(store, MAIN)
    made = []
    for seed in (1, 2, 3):
        gen = documents.continue_text(tiny_model, MAIN, SamplingSettings(max_new_tokens=8, seed=seed))
        made.append(tb.add_branch(store, doc, None, len(MAIN), gen.text, records=gen.records))
    good, bad, tokens = made
    tb.rate_branch(store, good, 1)
    tb.rate_branch(store, bad, -1)
    tb.set_correction(store, bad, " that learned from its user.")
    tb.rate_branch(store, tokens, 1, token_index=0)
    tb.rate_branch(store, tokens, -1, token_index=2)
    return store, doc, made


def test_text_ratings_become_plain_text_examples(tmp_path, tiny_model):
    store, doc, (good, bad, tokens) = rated_store(tmp_path, tiny_model)
    tok = tiny_model.tokenizer
    data = build_training_data(store, tok, tiny_model.context_window)
    # the text as is (no template, no turns), after the start token plain text is read after
    prompt = plain_text_start(tok) + tok(MAIN, add_special_tokens=False)["input_ids"]
    assert prompt[0] == tok.convert_tokens_to_ids("<|endoftext|>")
    assert {e.message_id for e in data.unpaired} == {-good, -bad}
    place = -min(good, bad, tokens)  # the three continue one place: one held-out group (text_training.place_groups)
    assert all(e.prompt_ids == prompt and e.group == place for e in (*data.unpaired, *data.pairs, *data.tokens))
    liked = next(e for e in data.unpaired if e.message_id == -good)
    assert liked.label and liked.completion_ids == [t[0] for t in tb.get_branch(store, good)["tokens"]]
    assert tok.eos_token_id not in liked.completion_ids  # a continuation is not the end of the text
    sources = sorted(p.source for p in data.pairs)
    assert sources == ["correction", "siblings"]
    correction = next(p for p in data.pairs if p.source == "correction")
    assert tok.decode(correction.chosen_ids) == " that learned from its user."
    assert data.tokens[0].ratings == {0: 1, 2: -1} and data.tokens[0].message_id == -tokens
    # a chat template on the tokenizer changes nothing: text examples never use it
    templated = copy.deepcopy(tok)
    templated.chat_template = "{% for m in messages %}<|im_start|>{{ m['content'] }}<|im_end|>{% endfor %}"
    again = build_training_data(store, templated, tiny_model.context_window)
    assert [e.prompt_ids for e in again.unpaired] == [e.prompt_ids for e in data.unpaired]
    # the gates re-ask text prompts with the end of the text before as their "question"
    from desktop_app.core.adapter_import import _reask_prompts

    assert {q for _ids, q in _reask_prompts(store, data)} == {MAIN[-text_training.QUESTION_CHARS:]}
    counts = readiness(store)
    assert counts["thumbs_up"] == 1 and counts["thumbs_down"] == 1 and counts["token_ratings"] == 2
    assert counts["corrections"] == 1 and counts["pairs"] == 2 and counts["total"] == 6 and counts["ready"]
    store.close()


def test_a_fine_tune_on_text_mode_ratings_runs(tmp_path, tiny_model):
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    store, _doc, _made = rated_store(tmp_path, tiny_model)
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    settings = FineTuneSettings(max_steps=4, min_steps=4, lr=3e-3, reask_count=1, reask_unseen=1, reask_tokens=6,
                                heldout_fraction=0.0, rescore=False)
    result = run_finetune(store, tiny_model, paths, settings)
    assert result.status in ("kept", "discarded"), result.reason
    assert result.metrics["train_size"] == 5  # 2 thumbs + 2 pairs + 1 token-rated continuation
    assert store.get_run(result.run_id)["status"] == result.status
    store.close()


def test_export_writes_trl_standard_format(tmp_path, tiny_model):
    store, _doc, (good, bad, _tokens) = rated_store(tmp_path, tiny_model)
    kto = text_training.standard_examples(store, "kto")
    assert all(isinstance(e["prompt"], str) and isinstance(e["completion"], str) for e in kto)
    assert {(e["completion"], e["label"]) for e in kto} >= {(tb.get_branch(store, good)["text"], True),
                                                           (" that learned from its user.", True),
                                                           (tb.get_branch(store, bad)["text"], False)}
    dpo = text_training.standard_examples(store, "dpo")
    assert {e["chosen"] for e in dpo} == {" that learned from its user.", tb.get_branch(store, good)["text"]}
    assert all(e["prompt"] == MAIN for e in dpo)
    db = store.path
    store.close()
    out = tmp_path / "text-kto.jsonl"
    done = subprocess.run([sys.executable, "-m", "desktop_app", "--db", str(db), "export", "--format", "kto",
                           "--text", "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows == kto and set(rows[0]) == {"prompt", "completion", "label"}
    done = subprocess.run([sys.executable, "-m", "desktop_app", "--db", str(db), "export", "--format", "dpo",
                           "--text", "--out", str(tmp_path / "d.jsonl"), "--trl-script", "train.py"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "train.py").exists() and "d.jsonl" in (tmp_path / "train.py").read_text()
    plain = subprocess.run([sys.executable, "-m", "desktop_app", "--db", str(db), "export", "--format", "kto"],
                           capture_output=True, text=True)  # the chat's export (empty) says what it left out
    assert plain.returncode == 2 and f"{len(kto)} text-mode kto examples not included" in plain.stderr
    trl_data = pytest.importorskip("trl.data_utils")
    assert not any(trl_data.is_conversational(row) for row in rows + dpo)  # TRL reads them as standard
