"""The window's status bar. Its right side, left to right: the fine-tune's label
(gui/finetune_side.py), a model's loading (the stage in words, then its bar), the last answer's
speed, the model in use and the adapter; its left side is for passing messages (a hovered token's
figures, "Saved <file>"), which the right side's words make room for (``MessageRoom``)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar

from desktop_app.core.adapters import BASE_LABEL, adapter_name
from desktop_app.core.precision import meaning
from desktop_app.gui.responsive import MessageRoom, elided
from desktop_app.gui.token_view import STATUS_SAMPLE
from desktop_app.gui.elided_labels import ElidedLabel, ModelLabel


# the model lane's tasks (their kind) the status bar names while its bar runs; the others show elsewhere
LANE_WORDS = {
    "explain": "Explaining a token\u2026",
    "analyse": "Analysing the text\u2026",
    "compare": "Scoring for Compare\u2026",
    "text change": "Scoring the text under both models\u2026",
    "score": "Scoring your prompt\u2026",
    "score answer": "Scoring an imported answer\u2026",
    "switch": "Switching the adapter\u2026",
}


# the adapter label's look for a few seconds after a person's switch (its words alone changed, unseen in a corner)
FLASH_STYLE = "QLabel { background: palette(highlight); color: palette(highlighted-text); border-radius: 3px; }"
FLASH_MS = 3000


def model_name(spec: str | None) -> str:
    """A model being loaded, in the status bar: a folder's or file's name, a hub id's last part."""
    if not spec or spec == "bundled":
        return f"the {spec or 'default'} model"
    return elided(spec.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or spec, 40)


class WindowStatus:
    """The status bar's lasting parts, told what happens to the model and the answers.

    Attributes:
        model_label, adapter_label, speed_label: the model in use (its tooltip says all: model,
            device, precision), the adapter ("Adapter 3", "base" for none) and the last answer's tokens/s.
        progress, progress_label: a load's (or the model lane's) bar and its stage in words.
        message_room: what gives way to a passing message."""

    def __init__(self, bar, finetune_label):
        bar.setSizeGripEnabled(False)
        self.model_label = ModelLabel("No model")
        self.model_label.setMinimumWidth(120)
        self.adapter_label = QLabel(BASE_LABEL)
        self.speed_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setFixedWidth(140)
        self.progress.setTextVisible(False)
        self.progress.hide()
        # the stage words give way (elided) rather than set the window's least width, as the model's label does
        self.progress_label = ElidedLabel("", least=100)
        for widget in (finetune_label, self.progress_label, self.progress, self.speed_label, self.model_label,
                       self.adapter_label):
            bar.addPermanentWidget(widget)
        # a hovered token's figures keep their room; the model's name gives way first, then the run's label
        # and while a longer message shows ("Saved <file>"), the speed and the stage label step aside
        self.message_room = MessageRoom(bar, bar.fontMetrics().horizontalAdvance(STATUS_SAMPLE) + 16,
                                        (self.model_label, finetune_label), (self.speed_label, self.progress_label))

    def loading(self, spec: str | None) -> None:
        """The loading words stand whole beside the bar (the load's stages follow them); the model's own
        label waits meanwhile, so the bar does not say it twice, cut the second time ("Loading the default mo…")."""
        self.model_label.hide()
        self.progress_label.setText(f"Loading {model_name(spec)}\u2026")

    def load_stage(self, stage: str, done: int, total: int) -> None:
        self.progress.show()
        self.progress.setRange(0, total if total > 1 else 0)
        if total > 1:
            self.progress.setValue(done)
        self.progress_label.setText(stage + "\u2026")

    def model_loaded(self, loaded, adapter: str) -> None:
        self.progress_label.setText("")
        self.answer_speed(None)  # the last answer's speed was another model's (usertest 16)
        self.model_label.setText(f"{loaded.source.display_name} \u00b7 {loaded.device.type} \u00b7 {loaded.precision_label}")
        described = (loaded.describe(), meaning(loaded.precision))  # what "Fast (bfloat16)" means, for a new user
        self.model_label.setToolTip("\n".join(x for x in described if x))
        self.model_label.show()
        self.show_adapter(adapter)

    def model_failed(self, model_in_use: bool) -> None:
        """The model in use (if any) stays in use: its label says so again, not "Loading ..."."""
        self.progress_label.setText("")
        self.progress.hide()
        self.model_label.show()
        if not model_in_use:
            self.adapter_label.setText(BASE_LABEL)  # what loads next says its own

    def show_adapter(self, adapter: str) -> None:
        self.adapter_label.setText(adapter)
        self.adapter_label.setToolTip("")

    def flash_adapter(self) -> None:
        """The adapter label stands out a moment after a switch, so the eye finds where it is said for good."""
        self.adapter_label.setStyleSheet(FLASH_STYLE)
        QTimer.singleShot(FLASH_MS, self.adapter_label, lambda: self.adapter_label.setStyleSheet(""))

    def adapter_loads_with_model(self, adapter_id: int) -> None:
        """Before the model is in: the adapter the last session used, not the base model while it loads with it."""
        self.adapter_label.setText(adapter_name(adapter_id, start=True))
        self.adapter_label.setToolTip("Loads with the model")

    def busy(self, busy: bool, loading: bool) -> None:
        """The model lane works (``loading``: a load, whose stages set the bar's range)."""
        if not busy:
            self.progress.hide()
            return
        self.progress.show()
        if not loading:
            self.progress.setRange(0, 0)

    def lane_work(self, kind: str | None, loading: bool) -> None:
        """What the model lane's running task does (its ``kind``), in words beside the bar: a bar alone
        went on for minutes while a token was explained or a text analysed (usertest 20). A load says
        its own stages; an answer or a continuation shows itself where it is written."""
        if loading:
            return
        self.progress_label.setText(LANE_WORDS.get(kind, ""))

    def answer_speed(self, tokens_per_s: float | None, tokens: int | None = None, adapter_id: int | None = None) -> None:
        """The last answer's speed, said to be its own; None clears it. It goes with what it was true of:
        another conversation shown, another adapter or model in use (user test: "23.4 tokens/s" stood on
        after those, read as the speed now)."""
        self.speed_label.setText(f"{tokens_per_s:.1f} tokens/s" if tokens_per_s else "")
        self.speed_label.setToolTip(speed_tip(tokens_per_s, tokens, self.adapter_label.text()) if tokens_per_s else "")
        self.speed_adapter = (adapter_id,) if tokens_per_s else None  # (None,): the base model's

    def adapter_now(self, adapter: str, adapter_id: int | None) -> None:
        """The adapter in use now (its label and id): a speed measured under another one is cleared."""
        if getattr(self, "speed_adapter", None) not in (None, (adapter_id,)):
            self.answer_speed(None)
        self.show_adapter(adapter)


def speed_tip(tokens_per_s: float, tokens: int | None, adapter: str) -> str:
    count = f" ({tokens:,} token{'s' if tokens != 1 else ''})" if tokens else ""
    return (f"The last answer's speed{count}, with {adapter}: {tokens_per_s:.1f} tokens a second. "
            "Cleared when another conversation, model or adapter is taken.")
