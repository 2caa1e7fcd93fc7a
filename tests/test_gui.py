"""The desktop window with pytest-qt (offscreen), on the tiny random GPT-2."""

from __future__ import annotations

import json
import threading
import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor, QHelpEvent  # noqa: E402
from PySide6.QtWidgets import QToolTip  # noqa: E402

from desktop_app.core.palette import color_for  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core import session as session_module  # noqa: E402
from desktop_app.core.generation import Generation  # noqa: E402
from desktop_app.core.token_words import tooltip_html  # noqa: E402
from desktop_app.gui.token_view import TOKEN_INDEX  # noqa: E402
from gui_windows import ask, no_question_at_teardown, same_first_size, text_opened  # noqa: E402

WAIT_MS = 30_000


@pytest.fixture
def make_window(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.main_window import MainWindow, open_settings
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    made = []

    def make(spec=str(tiny_model_dir), wait=True, max_new_tokens=24, mode="chat"):
        paths = AppPaths.resolve().ensure()
        if mode is not None:  # the tiny model has no chat template: it would open in Text mode
            open_settings(paths).setValue("mode", mode)
        store = Store.open(paths.db_path)
        window = MainWindow(store, paths, model_spec=spec, device="cpu")
        made.append((window, store))
        qtbot.addWidget(window, before_close_func=no_question_at_teardown)
        window.popover.max_new.setValue(max_new_tokens)
        window.popover.seed.setValue(7)
        same_first_size(window)
        window.show()
        if wait:
            with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
                pass
            text_opened(qtbot, window)  # a Text tab opens its text on the store lane: Open waits for it
        return window

    yield make
    for window, store in made:
        window.chat.shutdown()
        window.close()
        store.close()


def answer_cards(window):
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    cards = [c for c in window.transcript.cards if c.role == "assistant"]
    for card in cards:  # laid out, so token rectangles are real
        assert card.view.isVisible() and card.view.width() > 100
    return cards


def spans(view):
    """token index -> (tooltip, background QColor or None, text) from the document's fragments."""
    found = {}
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            index = fmt.property(TOKEN_INDEX)
            if index is not None:
                bg = fmt.background().color() if fmt.hasProperty(fmt.Property.BackgroundBrush) else None
                old = found.get(index)
                found[index] = (fmt.toolTip(), bg, (old[2] if old else "") + frag.text())
            it += 1
        block = block.next()
    return found


def test_send_streams_one_coloured_span_per_token(make_window, qtbot):
    window = make_window()
    assert window.focusWidget() is window.prompt  # a person who starts typing types a question
    assert window.windowTitle() == "GPT-2 Desk"  # the product's name, not the folders' "gpt2-desk"
    streamed, cards = [], []
    window.chat.tokens.connect(lambda batch: (streamed.extend(batch), cards.append(window.streaming_card)))
    result = ask(qtbot, window, "Hello, how are you?", via_keys=True)
    assert result["message_id"] is not None
    records = window.chat.store.token_records(result["message_id"])
    assert records and [r.id for r in streamed] == [r.id for r in records]
    card = answer_cards(window)[-1]
    assert card.message_id == result["message_id"]
    assert cards and all(c is card for c in cards), "the finished answer keeps the card it streamed into"
    found = spans(card.view)
    assert sorted(found) == list(range(len(records)))
    for i, record in enumerate(records):
        tooltip, bg, _text = found[i]
        assert tooltip == tooltip_html(record)
        assert bg is not None and bg.getRgb()[:3] == color_for(record, "probability")
    assert "tokens" in card.meta.text()
    assert window.prompt.toPlainText() == ""
    assert window.windowTitle() == "Hello, how are you? \u2014 GPT-2 Desk"
    assert "tokens/s" in window.speed_label.text()
    assert "cpu" in window.model_label.text() and window.adapter_label.text() == "base"


def test_hover_shows_tooltip_and_click_opens_inspector(make_window, qtbot):
    window = make_window()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    view = card.view
    index = min(3, len(card.records) - 1)
    rect = view.span_rect(index)
    assert view.index_at(rect.center()) == index
    with qtbot.waitSignal(card.view.token_hovered, timeout=2000) as hovered:
        qtbot.mouseMove(view.viewport(), rect.center())
    assert hovered.args == [index]
    assert "token" in window.statusBar().currentMessage()
    event = QHelpEvent(QEvent.Type.ToolTip, rect.center(), view.viewport().mapToGlobal(rect.center()))
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.text() == tooltip_html(card.records[index])
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    record = card.records[index]
    assert window.inspector.record == record and window.inspector.index == index
    assert window.inspector.chart.alternatives == list(record.top)
    covered = sum(a.prob for a in record.top) * 100
    assert f"{covered:.1f}%" in window.inspector.coverage.text()
    assert view.selected == index and view.token_rects(index), "the clicked token is marked"
    # the keyboard reaches the tokens too: Right/Left/Home/End move the selection, the inspector follows
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    after = min(index + 1, len(card.records) - 1)
    assert view.selected == after and window.inspector.index == after
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.selected == 0 and window.inspector.record == card.records[0]
    qtbot.keyClick(view, Qt.Key.Key_Left)  # stays at the first token
    assert window.inspector.index == 0
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert window.inspector.index == len(card.records) - 1 and view.hasFocus()


def test_branch_from_alternative_and_browse_siblings(make_window, qtbot):
    window = make_window()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    original = list(card.records)
    first_id = card.message_id
    index = min(2, len(original) - 1)
    qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=card.view.span_rect(index).center())
    row = next(i for i, a in enumerate(original[index].top) if a.id != original[index].id)
    window.inspector.pick(row)
    alternative = original[index].top[row]
    assert window.inspector.branch_button.isEnabled()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(window.inspector.branch_button, Qt.MouseButton.LeftButton)
    new_id = blocker.args[0]["message_id"]
    branched = window.chat.store.token_records(new_id)
    assert [r.id for r in branched[:index]] == [r.id for r in original[:index]]
    assert branched[index].id == alternative.id
    siblings = window.chat.store.siblings(new_id)
    assert [m["id"] for m in siblings] == [first_id, new_id]
    card = answer_cards(window)[-1]
    assert card.message_id == new_id and card.sibling_label.text() == "2/2"
    assert "branched at token" in card.meta.text()
    qtbot.mouseClick(card.prev_button, Qt.MouseButton.LeftButton)
    card = answer_cards(window)[-1]
    assert card.message_id == first_id and card.sibling_label.text() == "1/2"
    assert [r.id for r in card.records] == [r.id for r in original]
    qtbot.mouseClick(card.next_button, Qt.MouseButton.LeftButton)
    assert answer_cards(window)[-1].message_id == new_id
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(window.regenerate_button, Qt.MouseButton.LeftButton)
    assert answer_cards(window)[-1].sibling_label.text() == "3/3"


class SlowGeneration(Generation):
    def __iter__(self):
        for record in super().__iter__():
            time.sleep(0.03)
            yield record


def test_stop_in_the_middle(make_window, qtbot, monkeypatch):
    monkeypatch.setattr(session_module, "Generation", SlowGeneration)
    window = make_window(max_new_tokens=80)
    window.prompt.setPlainText("Tell me a long story")
    with qtbot.waitSignal(window.chat.tokens, timeout=WAIT_MS):
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    assert window.stop_button.isEnabled() and not window.send_button.isEnabled()
    assert window.streaming_card is not None and window.streaming_card.records
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert result["finish_reason"] == "cancelled"
    message = window.chat.store.get_message(result["message_id"])
    assert message["settings"]["finish_reason"] == "cancelled"
    assert 0 < len(window.chat.store.token_records(message["id"])) < 80
    assert "stopped" in answer_cards(window)[-1].meta.text()
    assert not window.stop_button.isEnabled()


def test_switch_colour_measure_and_plain(make_window, qtbot):
    window = make_window()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    window.legend.set_measure("rank")
    for i, (_tip, bg, _text) in spans(card.view).items():
        assert bg.getRgb()[:3] == color_for(card.records[i], "rank")
    window.legend.set_measure("entropy")
    for i, (_tip, bg, _text) in spans(card.view).items():
        assert bg.getRgb()[:3] == color_for(card.records[i], "entropy")
    window.legend.set_measure("plain")
    found = spans(card.view)
    assert all(bg is None for _tip, bg, _text in found.values())
    assert "".join(found[i][2] for i in sorted(found)) == "".join(r.text for r in card.records)
    assert not window.legend.bar.isVisible()


def test_prompt_scoring_colours_the_prompt(make_window, qtbot):
    window = make_window()
    ask(qtbot, window, "The quick brown fox")
    with qtbot.waitSignal(window.chat.prompt_scored, timeout=WAIT_MS):
        window.legend.score_prompts.setChecked(True)
    user = [c for c in window.transcript.cards if c.role == "user"][-1]
    assert user.records and user.view.toPlainText().replace("\u00b7", "") .startswith("The")
    assert len(spans(user.view)) == len(user.records)


def test_worker_error_is_shown(make_window, qtbot, monkeypatch):
    class Broken(Generation):
        def __iter__(self):
            raise RuntimeError("the GPU caught fire")
            yield

    monkeypatch.setattr(session_module, "Generation", Broken)
    window = make_window()
    window.prompt.setPlainText("hi")
    with qtbot.waitSignal(window.chat.error, timeout=WAIT_MS):
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    assert window.error_banner.isVisible() and window.error_banner.kind == "error"
    assert "the GPU caught fire" in window.error_banner.label.text()
    assert not window.chat.generating and window.send_button.isEnabled() is False  # prompt box was cleared


def test_model_load_error_is_shown_in_words(make_window, qtbot, tmp_path):
    window = make_window(spec=str(tmp_path / "no-such-model"), wait=False)
    with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS):
        pass
    assert window.error_banner.isVisible()
    assert "No such model folder" in window.error_banner.label.text()
    assert "Traceback" not in window.error_banner.label.text()


def test_conversations_new_rename_search_delete_and_reopen(make_window, qtbot):
    window = make_window()
    ask(qtbot, window, "first question about cats")
    first = window.chat.conversation_id
    assert window.conversations.list.count() == 1
    assert window.conversations.list.item(0).text() == "first question about cats"
    window.new_conversation()
    ask(qtbot, window, "second about dogs")
    assert window.conversations.list.count() == 2
    assert window.conversations.list.item(0).text().startswith("second")  # newest first
    with qtbot.waitSignal(window.chat.conversations_changed, timeout=WAIT_MS):  # written on the store lane
        window.chat.rename(first, "Cats")
    window.conversations.search.setText("cats")
    qtbot.waitUntil(lambda: window.conversations.list.count() == 1, timeout=2000)
    assert window.conversations.list.item(0).text() == "Cats"
    window.conversations.search.clear()
    qtbot.waitUntil(lambda: window.conversations.list.count() == 2, timeout=2000)
    window.open_conversation(first)
    assert [c.role for c in window.transcript.cards] == ["user", "assistant"]
    window.save_state()
    window.close()
    again = make_window()
    assert again.chat.conversation_id == first, "the last conversation reopens"
    assert len(again.transcript.cards) == 2
    again.chat.delete(first)
    assert again.chat.conversation_id is None  # off the screen at once
    qtbot.waitUntil(lambda: again.conversations.list.count() == 1, timeout=WAIT_MS)
    assert again.transcript.empty.isVisible() or not again.transcript.cards


def test_settings_persist(make_window, qtbot):
    window = make_window()
    window.legend.set_measure("surprisal")
    window.popover.temperature.setValue(1.25)
    window.popover.system.setPlainText("Be brief.")
    window.splitter.setSizes([300, 600, 380])
    window.save_state()
    window.close()
    again = make_window(wait=False)
    assert again.legend.measure() == "surprisal"
    assert again.chat.settings.temperature == pytest.approx(1.25)
    assert again.chat.system == "Be brief."


def test_export_png_and_json(make_window, qtbot, tmp_path):
    window = make_window()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    png = window.export_card(card, "png", str(tmp_path / "a.png"))
    js = window.export_card(card, "json", str(tmp_path / "a.json"))
    from PySide6.QtGui import QImage

    image = QImage(png)
    assert image.width() > 100 and image.height() > 20
    data = json.loads(open(js, encoding="utf-8").read())
    assert data["message_id"] == card.message_id
    assert [t["id"] for t in data["tokens"]] == [r.id for r in card.records]


def test_prompt_sent_before_the_model_loads_is_answered(make_window, qtbot):
    window = make_window(wait=False)
    window.prompt.setPlainText("early bird")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
        window.send()
    assert blocker.args[0]["message_id"] is not None


def test_token_view_layout_of_2000_coloured_tokens(qtbot):
    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.gui.token_view import TokenView

    records = [TokenRecord(i, [" the", " cat", "\n", "\t", ""][i % 5], -0.05 * (i % 40), 1 + i % 3000, 2.0,
                           (Alternative(i, " the", 0.4),)) for i in range(2000)]
    view = TokenView()
    qtbot.addWidget(view)
    view.resize(700, 100)
    view.show()
    view.set_records(records)
    assert len(spans(view)) == 2000
    assert view.height() > 1000, "the view grows to its text (the transcript scrolls, not the view)"
    assert "\u21b5" in view.toPlainText() and "\u00b7" in view.toPlainText()


def test_no_display_message(monkeypatch, capsys):
    import argparse

    from desktop_app.cli import gui_launch

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(gui_launch.sys, "platform", "linux")
    code = gui_launch.launch_gui(argparse.Namespace(screenshot=None))
    assert code == 2
    assert "xvfb-run" in capsys.readouterr().err


def test_corrupt_database_is_not_overwritten(tmp_path):
    from desktop_app.core.store import CorruptDatabaseError
    from desktop_app.gui.app import open_store_interactive

    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not sqlite at all" * 10)
    with pytest.raises(CorruptDatabaseError):
        open_store_interactive(bad, ask=False)
    assert bad.read_bytes().startswith(b"this is not")


def test_model_dialog_choices(qtbot, tmp_path):
    from desktop_app.gui.model_dialog import ModelDialog

    paths = AppPaths.resolve().ensure()
    dialog = ModelDialog(paths, "distilgpt2")
    qtbot.addWidget(dialog)
    assert dialog.spec() == "distilgpt2"
    dialog.bundled_radio.setChecked(True)
    assert dialog.spec() == "bundled"
    dialog.path_radio.setChecked(True)
    dialog.path.setText(str(tmp_path / "model.gguf"))
    assert dialog.spec() == str(tmp_path / "model.gguf")
    if dialog.local.count():
        dialog.local.setCurrentRow(0)
        dialog.local_radio.setChecked(True)
        assert dialog.spec() == dialog.local.item(0).data(Qt.ItemDataRole.UserRole)


@pytest.mark.parametrize("dark", [False, True])
def test_theme_fills_every_colour(qapp, dark):
    from desktop_app.gui.theme import apply_theme, style_sheet

    sheet = style_sheet(dark)
    assert sheet and "@" not in sheet.replace("@color", "")
    assert apply_theme(qapp, dark) is dark
    assert (qapp.palette().window().color().lightness() < 128) is dark
    apply_theme(qapp, False)


def test_model_load_settles_the_heap_and_a_replaced_model_is_freed(make_window, qtbot, tiny_model_dir):
    import gc
    import weakref

    window = make_window()
    assert gc.get_freeze_count() > 0  # start-up and the model are out of later collections
    old = window.chat.loaded
    # a garbage cycle pinning the model, set aside like the rest (transformers' first
    # from_pretrained in a process leaves such a cycle around the loading frames)
    pin = {"model": old.model}
    pin["self"] = pin
    del pin
    gc.freeze()
    ref = weakref.ref(old.model)
    del old
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.chat.load_model(str(tiny_model_dir))
    assert window.chat.loaded.model is not ref()
    qtbot.waitUntil(lambda: ref() is None, timeout=WAIT_MS)


def test_a_dismissed_model_notice_stays_dismissed_at_the_next_start(make_window, qtbot):
    fallback = "openai-community/gpt2 is not in the local cache ... the bundled offline model is used."
    window = make_window()
    window.chat.model_notice.emit(fallback)
    assert window.notice_banner.isVisible() and window.notice_banner.label.text() == fallback
    qtbot.mouseClick(window.notice_banner.close_button, Qt.MouseButton.LeftButton)
    assert not window.notice_banner.isVisible()
    window.close()

    again = make_window()  # same data folder: a restart
    again.chat.model_notice.emit(fallback)
    assert not again.notice_banner.isVisible()
    again.chat.notice.emit("The 2 oldest turns were left out to fit the context window.")
    assert again.notice_banner.isVisible()  # other notices still show
    again.notice_banner.hide()
    again.chat.model_notice.emit("A different reason for a different model.")
    assert again.notice_banner.isVisible()


def test_a_remembered_model_notice_shows_from_the_start_of_the_same_models_load(make_window, qtbot, tiny_model_dir):
    """The load tells the model notice seconds in; shown then, the banner pushed the Chat | Text tabs down under
    the person's pointer at every start. The notice the last start's load told shows as the same load starts,
    and goes when this load ends without telling it."""
    fallback = "openai-community/gpt2 is not in the local cache ... the bundled offline model is used."
    window = make_window()
    window.chat.model_notice.emit(fallback)
    window.close()

    again = make_window(wait=False)  # a restart on the same data folder, its load still under way
    assert not again.notice_banner.isHidden() and again.notice_banner.label.text() == fallback
    with qtbot.waitSignal(again.chat.model_loaded, timeout=WAIT_MS):
        pass
    assert again.notice_banner.isHidden()  # the tiny model's load has no notice: it no longer applies
    again.close()

    other = make_window(spec=str(tiny_model_dir) + "/", wait=False)  # another model asked for: not foretold
    assert other.notice_banner.isHidden()


def test_a_foretold_model_notice_the_load_tells_again_stays(make_window, qtbot):
    fallback = "openai-community/gpt2 is not in the local cache ... the bundled offline model is used."
    window = make_window()
    window.chat.model_notice.emit(fallback)
    window.close()

    again = make_window(wait=False)
    again.chat.model_notice.emit(fallback)  # this load tells it too, before it ends
    with qtbot.waitSignal(again.chat.model_loaded, timeout=WAIT_MS):
        pass
    assert not again.notice_banner.isHidden() and again.notice_banner.label.text() == fallback


def test_precision_shows_in_the_status_bar_and_the_inspector(make_window, qtbot):
    from desktop_app.core.precision import label
    from desktop_app.gui.model_dialog import ModelDialog

    window = make_window()
    loaded = window.chat.loaded
    assert loaded.precision_label in window.model_label.text()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    rect = card.view.span_rect(0)
    qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.inspector.stat_values["precision"].text() == f"written with {label(loaded.precision)}"
    stored = window.chat.store.token_records(card.message_id)
    assert stored and stored[0].precision == loaded.precision
    dialog = ModelDialog(window.paths, None, window, precision="exact")
    assert dialog.precision() == "exact"
    dialog.precision_box.setCurrentIndex(dialog.precision_box.findData("fast"))
    assert dialog.precision() == "fast"
    dialog.deleteLater()


def test_compact_precision_is_kept_shown_and_stored(make_window, qtbot):
    import torch

    from desktop_app.core.precision import compact_unsupported
    from desktop_app.gui.main_window import open_settings

    if compact_unsupported(torch.device("cpu")):
        pytest.skip("Compact needs native bfloat16 and torch's int8 weight kernel")
    open_settings(AppPaths.resolve().ensure()).setValue("precision", "compact")  # as the model dialog saves it
    window = make_window()
    assert window.chat.precision == "compact"  # the setting read back by a new window
    assert "Compact (int8 weights)" in window.model_label.text()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=card.view.span_rect(0).center())
    assert window.inspector.stat_values["precision"].text() == "written with Compact (int8 weights)"
    assert {r.precision for r in window.chat.store.token_records(card.message_id)} == {"int8"}
    dialog = window.model_dialog()
    assert dialog.precision() == "compact"  # the dialog opens on the precision in use
    from desktop_app.gui.model_dialog import LOOKING

    # its listing runs on the files lane: let it end here, not in the next test's window
    qtbot.waitUntil(lambda: dialog.local.count() and dialog.local.item(0).text() != LOOKING, timeout=60_000)
    dialog.deleteLater()
