"""Choose the model: GPT-2 family by name, models already on this computer, a folder,
a .gguf file, or the bundled offline model. Loading itself runs in the background."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from shiboken6 import isValid
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QGridLayout,
                               QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QRadioButton, QVBoxLayout)

from desktop_app.core.local_models import list_local_models, with_model_in_use
from desktop_app.core.model_sources import BUNDLED_NAME, BUNDLED_SPEC, GPT2_FAMILY
from desktop_app.core.precision import AUTO, COMPACT, EXACT, FAST
from desktop_app.gui.theme import styled_label

LOOKING = "Looking for models on this computer\u2026"
KIND_WORDS = {"hub-cache": "downloaded", "converted": "converted GGUF", "bundled": "bundled, offline",
              "folder": "folder", "gguf": "GGUF file"}
IN_USE = "in use"
AUTO_WORDS, FAST_WORDS = "Fast where supported", "Fast (16-bit weights)"
log = logging.getLogger(__name__)


def fast_here_words(device: str) -> tuple[str, str] | None:
    """(what Fast gives on ``device``, why it loads Exact there or ""), from the loader's rule; None
    where the device asked for is missing (loading says so)."""
    from desktop_app.core.models import ModelError, pick_device
    from desktop_app.core.precision import fast_on, why_not_fast

    try:
        torch_device = pick_device(device)[0]
    except ModelError:
        return None
    return fast_on(torch_device), why_not_fast(torch_device)


def spec_in_use(source) -> str | None:
    """The spec that names a loaded model's source (``ModelSource``), so the dialog can
    preselect the model in use (the offline fallback is "bundled", not the GPT-2 asked for)."""
    if source is None:
        return None
    kind, _colon, rest = source.model_id.partition(":")
    if kind == "bundled":
        return BUNDLED_SPEC
    if kind in ("folder", "gguf") and rest:
        return rest
    short = next((name for name, repo in GPT2_FAMILY.items() if repo == source.model_id), None)
    return short or source.model_id


def _details(model, in_use: bool = False) -> str:
    """How it got here, its architecture and its size: "downloaded · gpt2 · 523 MB" (· in use)."""
    parts = [KIND_WORDS.get(model.kind, model.kind), model.architecture, model.size_text if model.size_bytes else "",
             IN_USE if in_use else ""]
    return " \u00b7 ".join(p for p in parts if p)


def same_model(spec: str, other: str | None) -> bool:
    """Two specs of one model: a GPT-2 family name and its hub id, or two spellings of one path."""
    if other is None:
        return False
    a, b = GPT2_FAMILY.get(spec, spec), GPT2_FAMILY.get(other, other)
    if a == b:
        return True
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve() and Path(a).expanduser().exists()
    except OSError:
        return False


class ModelDialog(QDialog):
    """The dialog opens at once: with a ``lane`` the models on this computer are looked for
    there (reading a GGUF's header takes seconds) and listed when found."""

    local_found = Signal(int)  # the models on this computer are listed (how many)

    def __init__(self, paths, current: str | None = None, parent=None, precision: str = AUTO, lane=None,
                 in_use: str | None = None, device: str = "auto"):
        """``current``: the spec preselected; ``in_use``: the loaded model's, listed and marked;
        ``device``: where the model will run ("auto" as the window's --device), for what Fast gives there."""
        super().__init__(parent)
        self.in_use = in_use
        self.setWindowTitle("Choose a model")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = styled_label("The model runs on this computer. A GPT-2 model that is not downloaded yet is fetched "
                             "once from the Hugging Face hub; a .gguf file is converted once. Both show progress "
                             "in the status bar while the window stays usable.", "Muted", wrap=True)
        layout.addWidget(intro)
        layout.addLayout(self._build_choices())
        layout.addLayout(self._precision_row(precision))
        self.family.activated.connect(lambda _i: self.family_radio.setChecked(True))
        self.local.itemClicked.connect(lambda _i: self.local_radio.setChecked(True))
        self.path.textEdited.connect(lambda _t: self.path_radio.setChecked(True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.load_button = buttons.addButton("Load", QDialogButtonBox.ButtonRole.AcceptRole)
        self.load_button.setObjectName("PrimaryButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.held_line = styled_label("", "Muted", wrap=True)  # why Load is off (hold_load); hidden otherwise
        self.held_because = lambda: None  # why Load is off now, or None (follow_hold)
        self.held_line.hide()
        layout.addWidget(self.held_line)
        layout.addWidget(buttons)
        self._preselect(current)
        self._find_local(paths, lane)
        self._find_fast_here(device, lane)

    def follow_hold(self, *_changed) -> None:
        """Load on or off as ``held_because()`` says now (the window sets it: a fine-tune running)."""
        self.hold_load(self.held_because())

    def hold_load(self, why: str | None) -> None:
        """Load off, with ``why`` beside it and in its tooltip (a fine-tune running on the model in use); None:
        on again. The dialog may stay open while the run ends, so the window calls this as it changes."""
        if not isValid(self):
            return
        self.load_button.setEnabled(why is None)
        self.load_button.setToolTip(why or "")
        self.held_line.setText(why or "")
        self.held_line.setVisible(why is not None)

    def _find_local(self, paths, lane) -> None:
        in_use = self.in_use

        def listed():
            return with_model_in_use(list_local_models(paths), in_use)

        if lane is None:
            self._fill_local(listed())
            return
        self.local.addItem(LOOKING)
        self.local.setEnabled(False)
        from desktop_app.gui.tasks import Task

        lane.submit(Task(lambda _report, _cancel: listed(), "list the models on this computer",
                         "local models", on_success=self._fill_local,
                         on_failure=lambda error: self._fill_local([], str(error))))

    def _fill_local(self, models, error: str | None = None) -> None:
        if not isValid(self) or not isValid(self.local):
            return  # the dialog was closed and deleted before the list came
        self.local.clear()
        self.local.setEnabled(True)
        for model in models:
            self._add_local(model)
        if not models:
            self.local.addItem(error or "No models found on this computer yet.")
            self.local.setEnabled(False)
        self.local_found.emit(len(models))

    def _add_local(self, model) -> None:
        """One model's row; the one in use is marked so, in bold, and selected."""
        in_use = same_model(model.spec, self.in_use)
        item = QListWidgetItem(f"{model.name}  \u2014  {_details(model, in_use)}")
        item.setData(Qt.ItemDataRole.UserRole, model.spec)
        item.setToolTip(model.location + (" (the model in use)" if in_use else ""))
        if in_use:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        self.local.addItem(item)
        if in_use:
            self.local.setCurrentItem(item)

    def _build_choices(self) -> QGridLayout:
        """One radio button per kind of source: GPT-2 family, a model on this computer, a path, the bundled one."""
        grid = QGridLayout()
        grid.setVerticalSpacing(8)
        self.group = QButtonGroup(self)
        self.family_radio = QRadioButton("GPT-2 family")
        self.family = QComboBox()
        for short, repo in GPT2_FAMILY.items():
            self.family.addItem(f"{short}  ({repo})", short)
        self.local_radio = QRadioButton("On this computer")
        self.local = QListWidget()
        self.local.setMaximumHeight(120)
        # a row longer than the list wraps instead of running under a scroll bar: usertest 18 read
        # "SmolLM2-135M-Instruct — bundled, offline · llama · 94 M", its "in use" out of sight
        self.local.setWordWrap(True)
        self.local.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.local.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.path_radio = QRadioButton("Folder or .gguf file")
        self.path = QLineEdit()
        self.path.setPlaceholderText("/path/to/model-folder  or  /path/to/model.gguf")
        browse_folder = QPushButton("Folder\u2026")
        browse_file = QPushButton(".gguf\u2026")
        browse_folder.clicked.connect(self._pick_folder)
        browse_file.clicked.connect(self._pick_file)
        self.bundled_radio = QRadioButton(f"Bundled offline model ({BUNDLED_NAME})")
        for i, radio in enumerate((self.family_radio, self.local_radio, self.path_radio, self.bundled_radio)):
            self.group.addButton(radio, i)
        for radio, field in ((self.family_radio, self.family), (self.local_radio, self.local),
                             (self.path_radio, self.path)):
            field.setAccessibleName(radio.text())  # the radio button beside it says what the field holds
        grid.addWidget(self.family_radio, 0, 0)
        grid.addWidget(self.family, 0, 1)
        grid.addWidget(self.local_radio, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.local, 1, 1)
        grid.addWidget(self.path_radio, 2, 0)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse_folder)
        row.addWidget(browse_file)
        grid.addLayout(row, 2, 1)
        grid.addWidget(self.bundled_radio, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        return grid

    def _preselect(self, current: str | None) -> None:
        if current in (None, "") or current in GPT2_FAMILY:
            self.family_radio.setChecked(True)
            self.family.setCurrentIndex(max(0, self.family.findData(current or "gpt2")))
        elif current == BUNDLED_SPEC:
            self.bundled_radio.setChecked(True)
        else:
            self.path_radio.setChecked(True)
            self.path.setText(current)
        # the keyboard starts on the chosen source: on the first radio while another was checked,
        # Space switched the choice (usertest23)
        self.group.checkedButton().setFocus()

    def _precision_row(self, precision: str) -> QHBoxLayout:
        self.precision_box = QComboBox()
        self.precision_box.setObjectName("PrecisionBox")
        for text, value in ((AUTO_WORDS, AUTO), ("Exact (float32)", EXACT),
                            (FAST_WORDS, FAST), ("Compact (8-bit weights, CPU)", COMPACT)):
            self.precision_box.addItem(text, value)
        self.precision_box.setCurrentIndex(max(0, self.precision_box.findData(precision)))
        self.precision_box.setToolTip("Exact keeps every weight in float32. Fast halves the weights to bfloat16 "
                                      "(float16 on some GPUs): answers come quicker and probabilities differ "
                                      "slightly; each answer remembers which was used. Compact keeps the "
                                      "weights of the linear layers as 8-bit integers: quicker still on a CPU, "
                                      "probabilities differ a little more. Fine-tuning always trains in float32.")
        row = QHBoxLayout()
        label = styled_label("Precision", "Muted")
        label.setBuddy(self.precision_box)  # a screen reader names the list by its label
        row.addWidget(label)
        row.addWidget(self.precision_box, 1)
        return row

    def _find_fast_here(self, device: str, lane) -> None:
        """Asking the hardware imports torch (seconds on a first start): on the lane where there is one."""
        if lane is None:
            self._say_fast_here(fast_here_words(device))
            return
        from desktop_app.gui.tasks import Task

        lane.submit(Task(lambda _report, _cancel: fast_here_words(device), "what Fast gives here", "precision",
                         on_success=self._say_fast_here, on_failure=lambda error: log.warning("%s", error)))

    def _say_fast_here(self, words: tuple[str, str] | None) -> None:
        """The Fast choices say what they load on this computer, as the loader will (fast_here_words)."""
        if words is None or not isValid(self) or not isValid(self.precision_box):
            return
        fast, why_not = words
        box = self.precision_box
        box.setItemText(box.findData(AUTO), f"{AUTO_WORDS} \u2014 {fast}")
        if why_not:
            box.setItemText(box.findData(FAST), f"{FAST_WORDS} \u2014 {fast}")
            box.setToolTip(f"{box.toolTip()}\n\n{why_not}")

    def precision(self) -> str:
        return self.precision_box.currentData()

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Model folder")
        if folder:
            self.path.setText(folder)
            self.path_radio.setChecked(True)

    def _pick_file(self) -> None:
        # both cases: a desktop's own file dialog may match the pattern's case exactly
        name, _ = QFileDialog.getOpenFileName(self, "GGUF file", "", "GGUF models (*.gguf *.GGUF)")
        if name:
            self.path.setText(name)
            self.path_radio.setChecked(True)

    def spec(self) -> str | None:
        if self.family_radio.isChecked():
            return self.family.currentData()
        if self.local_radio.isChecked():
            item = self.local.currentItem()
            return item.data(Qt.ItemDataRole.UserRole) if item else None
        if self.path_radio.isChecked():
            return self.path.text().strip() or None
        return BUNDLED_SPEC
