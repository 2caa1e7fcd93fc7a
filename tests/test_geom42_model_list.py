"""The model dialog's "On this computer" rows wrap after a word: a long row ran past the list,
cut mid-word beside a horizontal scroll bar ("bundled, offline · llama · 94 M"). pytest-qt on
the real dialog, a real listing (a hub cache and a converted folder of the tiny GPT-2)."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_local_models import local_models  # noqa: E402,F401


def test_every_row_shows_whole_at_the_dialogs_least_width(local_models, tiny_model_dir, qtbot):  # noqa: F811
    from desktop_app.gui.model_dialog import ModelDialog

    # a converted model with a long name, as a .gguf's often is
    shutil.copytree(tiny_model_dir, local_models.converted_models_dir / "SmolLM2-360M-Instruct-Q4_K_M-abc123")
    dialog = ModelDialog(local_models)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.resize(dialog.minimumSizeHint().width(), dialog.height())
    for _ in range(4):
        QApplication.processEvents()
    listed = dialog.local
    assert listed.count() >= 3
    assert not listed.horizontalScrollBar().isVisible(), "a row runs past the list"
    room = listed.viewport().width()
    for i in range(listed.count()):
        item = listed.item(i)
        rect = listed.visualItemRect(item)
        needed = listed.fontMetrics().boundingRect(QRect(0, 0, rect.width(), 10_000),
                                                   int(Qt.TextFlag.TextWordWrap), item.text())
        assert rect.right() < room, f"{item.text()!r} runs past the list ({rect.right()} of {room} px)"
        assert needed.width() <= rect.width() and needed.height() <= rect.height(), f"{item.text()!r} is cut"
