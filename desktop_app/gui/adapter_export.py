"""Export an adapter (PEFT folder, merged model, GGUF) and import one trained elsewhere, from
the adapter history. The work runs on the task manager's training lane (it loads its own copy
of the model, as a fine-tune does, so the two never hold a copy each at once); this module
only asks where, shows progress, and says what came out."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLayout, QLineEdit, QMessageBox, QProgressBar, QPushButton, QVBoxLayout)

from desktop_app.core.adapters import adapter_name
from desktop_app.core.paths import make_documents_for
from desktop_app.gui import save_folder
from desktop_app.gui.off_words import EXPORT_FIELD_TIP, EXPORT_NOW_TIP, EXPORTED_TIP, EXPORTING_TIP
from desktop_app.gui.theme import styled_label
from desktop_app.gui.tasks import Lane, Task
from desktop_app.gui.tips import turn

# (format, quant, words, file name ending: "" for a folder)
CHOICES = [("gguf", "f16", "GGUF file, f16 (llama.cpp, LM Studio, Ollama)", ".gguf"),
           ("gguf", "q8_0", "GGUF file, q8_0 (half the size)", ".gguf"),
           ("merged", None, "Merged model folder (transformers)", ""),
           ("peft", None, "Adapter folder (PEFT, small)", ""),
           ("gguf-lora", None, "Adapter as a GGUF LoRA (llama.cpp --lora, small)", ".gguf")]


INTRO = ("Use your model in other tools. A GGUF file or a merged folder holds the base model with this adapter "
         "folded in; the PEFT folder and the GGUF LoRA hold the adapter alone, applied over its base model.")


def free_name(folder: Path, stem: str, ending: str) -> Path:
    """``folder/stem+ending``, or with -2, -3… where an earlier export took it: the dialog had
    offered the name of the last export again, and Export then said it already exists (usertest46).
    A GGUF's Modelfile and model card beside it count, as the export refuses to replace them too."""
    def taken(path: Path) -> bool:
        beside = (path.with_suffix(".Modelfile"), path.with_name(f"{path.stem}.README.md"))  # model_export.card_path_for
        return path.exists() or (ending == ".gguf" and any(p.exists() for p in beside))

    candidate, number = folder / f"{stem}{ending}", 2
    while taken(candidate):
        candidate, number = folder / f"{stem}-{number}{ending}", number + 1
    return candidate


class ExportDialog(QDialog):
    """Choose the format and where; Export runs it with a progress bar; Cancel stops it."""

    def __init__(self, store, paths, adapter_id: int, lane: Lane, parent=None):
        super().__init__(parent)
        self.store, self.paths, self.adapter_id, self.lane = store, paths, adapter_id, lane
        self.setWindowTitle(f"Export {adapter_name(adapter_id)}")
        self.task: Task | None = None
        self.result = None
        self.stages: list[str] = []  # what the running export reported, in order
        layout = QVBoxLayout(self)
        # the dialog grows with its rows (the progress bar, the status): a minimum width set on the
        # dialog itself had stopped the layout from setting its height, and the fields were squashed
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.intro = styled_label(INTRO, "Muted", wrap=True)
        layout.addWidget(self.intro)
        layout.addLayout(self._format_and_path())
        self.bar = QProgressBar()
        self.bar.hide()
        layout.addWidget(self.bar)
        self.status = styled_label("", "Muted", wrap=True)
        self.status.hide()  # shown with something to say (_set_status): empty, it was a blank line in a fresh dialog
        layout.addWidget(self.status)
        layout.addWidget(self._buttons())
        self._suggest_path()
        # the last export's "Wrote ..." and full bar would read as the new choice's result
        self.format.currentIndexChanged.connect(lambda _i: self._forget_result())
        self.path.textChanged.connect(lambda _t: self._forget_result())
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the path can be copied

    def _format_and_path(self) -> QFormLayout:
        """The form's two rows: the format, and the path to save as with its Choose… button."""
        form = QFormLayout()
        self.format = QComboBox()
        for fmt, quant, words, _ending in CHOICES:
            self.format.addItem(words, (fmt, quant))
        self.format.currentIndexChanged.connect(lambda _i: self._suggest_path())
        form.addRow("Format", self.format)
        self.path = QLineEdit()
        self.path.setMinimumWidth(320)  # a path is long: the dialog is about 480 px wide
        choose = QPushButton("Choose\u2026")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        form.addRow("Save as", row)
        return form

    def _buttons(self) -> QDialogButtonBox:
        """Close (Cancel while an export runs), Export, and Open folder once an export is written."""
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        # a person who had exported had to find the path in the text and open it by hand (export81)
        self.open_folder_button = self.buttons.addButton("Open folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder_button.hide()
        self.open_folder_button.clicked.connect(self.open_folder)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setObjectName("PrimaryButton")
        self.export_button.setDefault(True)
        self.export_button.setToolTip(EXPORT_NOW_TIP)
        self.export_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self._close_or_cancel)
        return self.buttons

    def _say(self, text: str) -> None:
        """The status line, with the window's height fitted to hold it."""
        self._set_status(text)
        self._fit_height()

    def _set_status(self, text: str) -> None:
        """The status line's words, the line shown only while it has some: an empty label kept about 14 px blank
        under the fields of a fresh dialog (inspector86)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _fit_height(self) -> None:
        """The height the rows need at this width: more for a long result (its fields must not be squashed),
        and less again once a shorter text replaces it (a long result's height had stayed for "Exporting…")."""
        self.layout().activate()
        needed = max(self.layout().totalHeightForWidth(self.width()), self.minimumSizeHint().height())
        if needed != self.height():
            self.resize(self.width(), needed)

    def written_folder(self) -> Path | None:
        """The folder that holds what the last export wrote: a folder export itself, else the file's folder."""
        if self.result is None:
            return None
        path = Path(self.result.path)
        return path if path.is_dir() else path.parent

    def open_folder(self) -> None:
        folder = self.written_folder()
        if folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _forget_result(self) -> None:
        if self.task is None:
            self._set_status("")
            self.bar.hide()
            self.open_folder_button.hide()
            QTimer.singleShot(0, self, self._fit_height)
            turn(self.export_button, True, EXPORT_NOW_TIP)
            self.export_button.setDefault(True)

    def choice(self) -> tuple[str, str | None]:
        return self.format.currentData()

    def _ending(self) -> str:
        return CHOICES[self.format.currentIndex()][3]

    def _suggest_path(self) -> None:
        fmt, quant = self.choice()
        current = (Path(self.path.text()).expanduser() if self.path.text()
                   else save_folder.start_folder(self.parentWidget(), save_folder.ADAPTERS, typed=True))
        folder = current.parent if self.path.text() else current
        self.path.setText(str(free_name(folder, f"adapter-{self.adapter_id}-{quant or fmt}", self._ending())))

    def _choose(self) -> None:
        offered = Path(self.path.text()).expanduser()
        if not offered.parent.is_dir():  # Documents not made yet: the dialog cannot open there
            offered = save_folder.start_folder(self.parentWidget()) / offered.name
        if self._ending():
            chosen, _filter = QFileDialog.getSaveFileName(self, "Save the GGUF file", str(offered),
                                                          "GGUF files (*.gguf)")
        else:
            chosen, _filter = QFileDialog.getSaveFileName(self, "Name of the new folder", str(offered), "",
                                                          options=QFileDialog.Option.DontConfirmOverwrite)
        if chosen:
            self.path.setText(chosen)

    def start(self) -> None:
        from desktop_app.core.model_export import export_adapter

        fmt, quant = self.choice()
        store, paths, aid, out = self.store, self.paths, self.adapter_id, self.path.text().strip()

        def work(report, cancel):
            return export_adapter(store, aid, fmt, out, paths, quant=quant or "f16", progress=report, cancel=cancel)

        self.task = Task(lambda report, cancel: work(lambda *p: report(p), cancel), "export adapter", "export",
                         on_progress=self._progress, on_success=self._finished, on_failure=self._failed,
                         on_cancelled=lambda _t: self._failed("Cancelled before it started."))
        make_documents_for(out)  # the Documents folder offered where it was missing, made now the export writes
        save_folder.remember(self.parentWidget(), out, save_folder.ADAPTERS)  # the next Import… or Export… opens there
        self.open_folder_button.hide()
        self._set_running(True)
        self._set_status("Exporting\u2026" if not self.lane.busy else "Waiting for the fine-tune to finish\u2026")
        self.lane.submit(self.task)

    def _set_running(self, running: bool) -> None:
        self.bar.setVisible(running or self.bar.isVisible())
        turn(self.export_button, not running, EXPORTING_TIP if running else EXPORT_NOW_TIP)
        for field in (self.format, self.path):
            turn(field, not running, EXPORT_FIELD_TIP if running else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText("Cancel" if running else "Close")
        # the bar and the status came in (or a long result went): the height they need, rather than
        # squashed Format and Save-as fields (their text was cut at the bottom)
        QTimer.singleShot(0, self, self._fit_height)

    def _progress(self, payload) -> None:
        stage, done, total = payload
        if not self.stages or self.stages[-1] != stage:
            self.stages.append(stage)
        self.bar.setRange(0, max(total, 0))  # total 0: a busy bar
        self.bar.setValue(done)
        self._set_status(f"{stage}\u2026")

    def _finished(self, result) -> None:
        self.task, self.result = None, result
        self._set_running(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        from desktop_app.core.model_export import megabytes

        # decimal MB, as the CLI and a file manager say: "258.3 MB" (MiB) read as another file (usertest46)
        lines = [f"Wrote {result.path} ({megabytes(result.bytes)})."]
        lines += [f"Also wrote {p.name}." for p in result.extra_files] + list(result.notes)
        self.open_folder_button.show()
        self.open_folder_button.setToolTip(f"Open {self.written_folder()} in the file manager")
        self._say("\n".join(lines))
        # done: Enter closes the dialog, and Export stays on for another format (greyed, it read as
        # "close and reopen to export again": left47); the same place again says it already exists
        turn(self.export_button, True, EXPORTED_TIP)
        self.export_button.setDefault(False)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, error) -> None:
        self.task = None
        message = str(error)
        self._set_running(False)
        self.bar.hide()
        self._say(message)

    def _close_or_cancel(self) -> None:
        if self.task is not None:
            self._set_status("Cancelling\u2026")
            self.lane.cancel(self.task)
        else:
            self.reject()

    def done(self, code: int) -> None:  # closing the window also stops a running export
        if self.task is not None:
            task, self.task = self.task, None
            task.on_success = task.on_failure = task.on_progress = task.on_cancelled = None  # the dialog goes
            self.lane.cancel(task)
        super().done(code)


def import_adapter_task(controller, folder: str, on_success, on_failure) -> Task | None:
    """Check, judge and record the adapter in ``folder`` for the chat model, on the training
    lane; the history refreshes when it is in."""
    from desktop_app.core.adapter_import import import_adapter

    loaded = controller.chat.loaded
    if loaded is None:
        return None
    store, paths = controller.store, controller.paths

    def success(result):
        controller.adapters_changed.emit()
        on_success(result)

    task = Task(lambda report, cancel: import_adapter(store, paths, loaded, folder, cancel=cancel),
                "import adapter", "import", on_success=success, on_failure=on_failure)
    return controller.tasks.training.submit(task)


def import_message(result) -> str:
    from desktop_app.core.adapters import comparison_note

    advice = "The gate would keep it" if result.advice_keep else "The gate advises against it"
    return (f"Imported as {adapter_name(result.adapter_id)}. {advice}: {result.reason}. "
            f"{comparison_note(result.metrics)} "
            "Select it and press \u201cUse selected\u201d to chat with it, or Compare to see what it changes.")


def _tell(history, title: str, text: str, warning: bool = False) -> QMessageBox:
    """A message over the window that does not block it (kept on the history so tests can read it)."""
    box = QMessageBox(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information, title, text,
                      QMessageBox.StandardButton.Ok, history.window())
    box.setWindowModality(Qt.WindowModality.NonModal)  # the window stays usable while it is read
    history.last_message = box
    box.show()
    return box


def attach(history, controller) -> None:
    """Connect the history's Export\u2026 and Import\u2026 buttons to the fine-tune controller's store."""
    def export(adapter_id: int) -> None:
        dialog = ExportDialog(controller.store, controller.paths, adapter_id, controller.tasks.training,
                              history.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per click; gone when closed
        history.export_dialog = dialog
        dialog.open()

    def importing(folder: str | None) -> None:
        """Say what runs while it does (the gate's check takes a minute or two on a CPU)."""
        history.set_busy(folder is not None)
        bar = getattr(history.window(), "statusBar", None)
        if bar is not None:
            bar().showMessage(f"Importing the adapter from {folder}: the gate is checking it "
                              "(a minute or two on a CPU)\u2026" if folder else "")

    def finished(result) -> None:
        importing(None)
        _tell(history, "Adapter imported", import_message(result))

    def failed(error) -> None:
        importing(None)
        _tell(history, "Import failed", str(error), warning=True)

    def import_(folder: str) -> None:
        if import_adapter_task(controller, folder, finished, failed) is not None:
            importing(folder)

    history.export_dialog = history.last_message = None
    history.export_requested.connect(export)
    history.import_requested.connect(import_)
