"""The model dialog lists the model in use, marked so, also when it was loaded from a folder of its
own (the list left such a folder out: only downloaded, converted and bundled models showed). Real
window on the tiny model's folder, the real dialog and its files lane."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from gui_windows import WAIT_MS, opened_window


def listed(dialog) -> list:
    return [dialog.local.item(i) for i in range(dialog.local.count())]


def test_the_loaded_folder_is_listed_and_marked_in_use(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        dialog = window.model_dialog()
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.local_found, timeout=WAIT_MS):
            dialog.show()
        items = listed(dialog)
        ours = [i for i in items if Path(i.data(Qt.ItemDataRole.UserRole)) == Path(tiny_model_dir)]
        assert len(ours) == 1, [i.text() for i in items]
        item = ours[0]
        assert item.text().endswith("in use") and item.font().bold(), item.text()
        assert dialog.local.currentItem() is item
        others = [i for i in items if i is not item]
        assert not any("in use" in i.text() or i.font().bold() for i in others), "only the model in use"
        dialog.local_radio.setChecked(True)
        assert dialog.spec() == str(tiny_model_dir), "chosen from the list, it loads that folder again"
        dialog.close()
