"""inspect69: the inspector and the Text tab's figures, said the same everywhere: which adapter's figures, per
cent on the histograms, headers that fit, a piece of a character named, and an open refusal that goes."""

from __future__ import annotations

import pytest

from desktop_app.core import documents
from desktop_app.core.errors import UserFacingError

pytest.importorskip("PySide6")

from test_gui_text import WAIT_MS, text_window  # noqa: E402,F401  (the window with the tiny model)


def test_a_bad_byte_is_counted_from_one_and_from_the_files_start():
    cp1252 = "café au lait".encode("cp1252")  # é is the 4th byte
    with pytest.raises(UserFacingError, match=r"byte 4 is not valid UTF-8"):
        documents.text_from_bytes(cp1252, "menu.txt")
    with pytest.raises(UserFacingError, match=r"byte 7 is not valid UTF-8"):  # after the 3 bytes of a BOM
        documents.text_from_bytes(b"\xef\xbb\xbf" + cp1252, "menu.txt")


def test_a_good_file_opened_after_a_refused_one_takes_the_red_banner_away(text_window, qtbot, tmp_path):
    window = text_window()
    bad, good = tmp_path / "menu.txt", tmp_path / "notes.txt"
    bad.write_bytes("café au lait".encode("cp1252"))
    good.write_text("Armstrong walked on the Moon.\n", encoding="utf-8")
    with qtbot.waitSignal(window.text.error, timeout=WAIT_MS):
        assert window.text_view.open_file(str(bad))
    assert window.error_banner.isVisible() and "byte 4" in window.error_banner.label.text()
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        assert window.text_view.open_file(str(good))
    assert not window.error_banner.isVisible(), "the refusal was of another file"
