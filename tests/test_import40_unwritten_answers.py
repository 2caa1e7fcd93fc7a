"""An answer stored without token records (imported from a TRL file: core/exchange.py) showed an
empty card headed by the model in use ("SmolLM2-135M-Instruct · base model   0 tokens"), though
the store held its text and no model wrote it here. Its card shows its text at once, says it was
imported, and gets its colours from the model in use's scoring, kept as "rescored" records (never
"generated"); its tokens can then be rated, and the rating reaches the fine-tune's data. A text
longer than the model's window is scored as far as the window goes and says so."""

from __future__ import annotations

import json
import threading

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import exchange  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.gui.main_window import open_settings  # noqa: E402
from desktop_app.gui.tasks import Task  # noqa: E402
from desktop_app.gui.unwritten_words import SCORING_WORDS  # noqa: E402
from gui_windows import WAIT_MS, opened_window  # noqa: E402

KTO = {"prompt": [{"role": "user", "content": "What is the capital of Peru?"}],
       "completion": [{"role": "assistant", "content": "Answer: Lima."}], "label": True}
DPO = {"prompt": [{"role": "user", "content": "What is the capital of Chile?"}],
       "chosen": [{"role": "assistant", "content": "Santiago."}],
       "rejected": [{"role": "assistant", "content": "Lima, I think."}]}
LONG = " ".join(f"The river number {i} runs past the old mill and into the sea." for i in range(60))


def import_rows(tmp_path, *rows) -> list[int]:
    """The rows imported as `gpt2-desk import FILE` does, into the window's store; their conversations."""
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    store = Store.open(AppPaths.resolve().ensure().db_path)
    try:
        return exchange.import_jsonl(store, path).conversation_ids
    finally:
        store.close()


def shown(card) -> str:
    return card.view.toPlainText()


def answer_card(window):
    return next(c for c in window.transcript.cards if c.role == "assistant")


def scored(qtbot, window, card) -> None:
    qtbot.waitUntil(lambda: card.unwritten is not None and card.unwritten.scoring is not None, timeout=WAIT_MS)


@pytest.fixture
def chat_mode():
    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")  # (the tiny model has no chat template)


def test_an_imported_answer_shows_its_text_says_imported_then_gets_scored(qtbot, qapp, tiny_model_dir, tmp_path,
                                                                          chat_mode):
    (conversation,) = import_rows(tmp_path, KTO)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        release = threading.Event()  # the model busy: the card before its scoring
        window.chat.lane.submit(Task(lambda _r, _c: release.wait(WAIT_MS / 1000), "busy", "busy"))
        try:
            window.chat.open_conversation(conversation)
            card = answer_card(window)
            assert shown(card) == "Answer: Lima."
            assert card.meta.text() == SCORING_WORDS
        finally:
            release.set()
        model_name = window.chat.loaded.source.display_name.split(" (")[0]
        assert card.role_label.text() == "Imported answer"
        assert model_name not in card.role_label.text() and "rows.jsonl" in card.role_label.toolTip()
        scored(qtbot, window, card)
        assert shown(card) == "Answer: Lima."
        assert "".join(r.text for r in card.records) == "Answer: Lima."
        assert card.meta.text().endswith("scored, not generated") and "the base model" in card.meta.toolTip()
        store = window.chat.store
        mid = card.message_id
        assert store.token_records(mid) == []  # nothing claims a model wrote it
        kept = store.token_records(mid, adapter_id=None, kind="rescored")
        assert [r.id for r in kept[:len(card.records)]] == [r.id for r in card.records]

        card.rating.rate_token(1, -1)  # a token rated on the scored answer reaches the fine-tune's data
        window.writer.wait()
        from desktop_app.core.train_data import build_training_data

        loaded = window.chat.loaded
        data = build_training_data(store, loaded.tokenizer, loaded.context_window)
        (rated,) = [t for t in data.tokens if t.message_id == mid]
        assert rated.completion_ids[1] == card.records[1].id and rated.ratings == {1: -1}

        window.chat.open_conversation(None)  # shown again: the kept scoring, no second scoring
        window.chat.open_conversation(conversation)
        again = answer_card(window)
        assert again.unwritten.scoring is not None and not window.chat.lane.find("score answer")
        assert [r.id for r in again.records] == [r.id for r in card.records]


def test_imported_dpo_siblings_both_show_their_text(qtbot, qapp, tiny_model_dir, tmp_path, chat_mode):
    (conversation,) = import_rows(tmp_path, DPO)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.chat.open_conversation(conversation)
        card = answer_card(window)
        seen = {shown(card)}
        assert card.sibling_label.text() == "2/2"
        card.prev_button.click()
        card = answer_card(window)
        seen.add(shown(card))
        assert seen == {"Santiago.", "Lima, I think."}
        assert card.role_label.text() == "Imported answer"
        scored(qtbot, window, card)
        assert "".join(r.text for r in card.records) == shown(card)


def test_an_answer_longer_than_the_window_is_scored_as_far_as_it_goes(qtbot, qapp, tiny_model_dir, tmp_path,
                                                                      chat_mode):
    long_row = dict(KTO, completion=[{"role": "assistant", "content": LONG}])
    (conversation,) = import_rows(tmp_path, long_row)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.chat.open_conversation(conversation)
        card = answer_card(window)
        scored(qtbot, window, card)
        assert shown(card) == LONG  # the part past the window stays, plain
        n = len(card.records)
        assert 0 < n < window.chat.loaded.context_window
        assert card.meta.text().startswith(f"{n:,} of ") and card.meta.text().endswith(" tokens scored")
        assert "the rest shows as plain text" in card.meta.toolTip()


def test_the_json_export_of_an_imported_answer_keeps_its_text(qtbot, qapp, tiny_model_dir, tmp_path, chat_mode):
    (conversation,) = import_rows(tmp_path, KTO)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.chat.open_conversation(conversation)
        card = answer_card(window)
        scored(qtbot, window, card)
        path = window.cards.export_card(card, "json", str(tmp_path / "answer.json"))
        data = json.loads(open(path, encoding="utf-8").read())
        assert data["text"] == "Answer: Lima." and data["model_id"] is None
        assert data["tokens_are"] == "scored by the base model, not generated"
        assert len(data["tokens"]) == len(card.records)


def test_a_token_of_an_imported_answer_is_explained_as_given_not_sampled(tiny_model, tmp_path):
    from desktop_app.core.token_context import context_for_message

    store = Store.open(tmp_path / "store.sqlite3")
    try:
        (conversation,) = exchange.import_examples(store, [exchange.parse_example(KTO, "line 1")]).conversation_ids
        answer = next(m for m in store.messages(conversation) if m["role"] == "assistant")
        context = context_for_message(store, tiny_model, answer["id"], 1)
        assert context.forced and context.unwritten  # nobody sampled it: no sampler story to tell
    finally:
        store.close()



def test_an_answer_asked_for_goes_ahead_of_an_imported_answers_scoring(qtbot, qapp, tiny_model_dir, tmp_path,
                                                                       chat_mode):
    (conversation,) = import_rows(tmp_path, KTO)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        order = []
        window.chat.stream_started.connect(lambda _m: order.append("answer"))
        window.chat.answer_scored.connect(lambda _mid, _s: order.append("scored"))
        release = threading.Event()
        window.chat.lane.submit(Task(lambda _r, _c: release.wait(WAIT_MS / 1000), "busy", "busy"))
        try:
            window.chat.open_conversation(conversation)  # its scoring waits behind the busy model
            assert window.chat.lane.find("score answer")
            window.prompt.setPlainText("And of Chile?")
            window.send()
            # the answer's task reaches the model lane after its prompt is saved (the store lane): on a loaded
            # machine that came after the release, and the waiting scoring ran first
            qtbot.waitUntil(lambda: bool(window.chat.lane.find("answer")), timeout=WAIT_MS)
        finally:
            release.set()
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            pass
        card = answer_card(window)
        scored(qtbot, window, card)
        assert order == ["answer", "scored"]
        assert shown(card) == "Answer: Lima." and card.role_label.text() == "Imported answer"


def test_a_branch_from_an_imported_answer_names_the_imported_text_not_a_model():
    from types import SimpleNamespace

    from desktop_app.gui.answer_words import answer_author

    loaded = SimpleNamespace(model_id="tiny", adapter_id=None, source=SimpleNamespace(display_name="tiny-gpt2"))
    branch = {"model_id": "tiny", "adapter_id": None,
              "settings": {"branched_at": 1, "prefix_writer": {"model_id": None, "adapter_id": None}}}
    title, tip = answer_author(branch, loaded)
    assert title == "tiny-gpt2 \u00b7 imported text, then base model"
    assert tip.startswith("Its first 1 token: the imported answer's")
