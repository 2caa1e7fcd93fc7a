"""The window's status bar. Its right side, left to right: the fine-tune's label
(gui/finetune_side.py), a model's loading (the stage in words, then its bar), the last answer's
speed, the model in use and the adapter; its left side is for passing messages (a hovered token's
figures, "Saved <file>"), which the right side's words make room for (``MessageRoom``)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar

from desktop_app.core.adapters import BASE_LABEL, adapter_name
from desktop_app.core.count_words import counted
from desktop_app.core.precision import meaning
from desktop_app.core.speed_words import per_second
from desktop_app.core.token_words import STATUS_SAMPLE
from desktop_app.gui.responsive import MessageRoom, elided
from desktop_app.gui.elided_labels import ElidedLabel, ModelLabel, at_word
from desktop_app.gui.load_words import stage_forms


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


STAGE_LEAST = 100  # px the stage words keep while they say something ("Converting…"), none while empty
STAGE_READABLE = 220  # px the stage words may ask for, at most, to show their shortest form whole


class StageLabel(ElidedLabel):
    """The stage words beside the progress bar, in the longest of their forms that fits (load_words.stage_forms):
    at least their shortest form's width (from STAGE_LEAST up to STAGE_READABLE) while they say something, so
    the status bar's fitting (responsive.MessageRoom) leaves them a readable form rather than one word
    (usertest32: "Converting…" at 680-800 px); a form too long still is cut after a word."""

    def setText(self, text: str) -> None:
        self.forms = stage_forms(text) if text else []
        super().setText(text)
        margins = self.contentsMargins()
        shortest = (self.fontMetrics().horizontalAdvance(self.forms[-1]) + margins.left() + margins.right() + 4
                    if text else 0)
        self.least = min(max(STAGE_LEAST, shortest), STAGE_READABLE)
        self.setMinimumWidth(self.least if text else 0)

    def fitted(self, text: str, metrics, width: int) -> str:
        forms = getattr(self, "forms", None) or [text]
        fits = (form for form in forms if metrics.horizontalAdvance(form) <= width)
        return next(fits, None) or at_word(forms[-1], metrics, width)


class WindowStatus:
    """The status bar's lasting parts, told what happens to the model and the answers.

    Attributes:
        model_label, adapter_label, speed_label: the model in use (its tooltip says all: model,
            device, precision), the adapter ("Adapter 3", "base" for none) and the tokens/s of what was last written in the
            tab in front (an answer, a continuation: ``speeds``).
        progress, progress_label: a load's (or the model lane's) bar and its stage in words.
        message_room: what gives way to a passing message."""

    def __init__(self, bar, finetune_label):
        bar.setSizeGripEnabled(False)
        self.model_label = ModelLabel("No model")
        self.model_label.setMinimumWidth(120)
        self.adapter_label = QLabel(BASE_LABEL)
        self.speed_label = QLabel("")
        self.speeds: dict[str, tuple | None] = {"chat": None, "text": None}  # (tokens/s, tokens, adapter id)
        self.front = "chat"  # the tab whose speed the label shows
        self.progress = QProgressBar()
        self.progress.setFixedWidth(140)
        self.progress.setTextVisible(False)
        self.progress.hide()
        # the stage words give way (elided) rather than set the window's least width, as the model's label does
        self.progress_label = StageLabel("", least=STAGE_LEAST)
        for widget in (finetune_label, self.progress_label, self.progress, self.speed_label, self.model_label,
                       self.adapter_label):
            bar.addPermanentWidget(widget)
        # a hovered token's figures keep their room; the stage words give way first (cut after a whole word: at
        # 800 px a first conversion's long stage had been hidden whole, at 1024 px cut in half a word, leftovers56;
        # while a model loads its name is hidden and they have the room), then the run's label (its shorter forms
        # still say what it does and counts), then the model's name: given way before the run's label, it was cut
        # ("SmolLM2-135M… · cpu") beside a run at 1024x600 (leftovers85); while a longer message shows ("Saved <file>"), the speed and the stage label step aside
        self.message_room = MessageRoom(bar, bar.fontMetrics().horizontalAdvance(STATUS_SAMPLE) + 16,
                                        (self.progress_label, finetune_label, self.model_label),
                                        (self.speed_label, self.progress_label))

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
        self.speeds = {tab: None for tab in self.speeds}  # the last speeds were another model's (usertest 16)
        self._show_speed()
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

    def lane_work(self, kind: str | None, loading: bool, words: str | None = None) -> None:
        """What the model lane's running task does (its ``kind``), in words beside the bar: a bar alone
        went on for minutes while a token was explained or a text analysed (usertest 20). A load says
        its own stages; an answer or a continuation shows itself where it is written. ``words``: what names
        the work better than its kind does (the token explained), where the window knows it."""
        if loading:
            return
        self.progress_label.setText(words or LANE_WORDS.get(kind, ""))

    def answer_speed(self, tokens_per_s: float | None, tokens: int | None = None, adapter_id: int | None = None,
                     tab: str = "chat") -> None:
        """The speed of what was last written in ``tab`` ("chat": an answer, "text": a continuation), said to be
        its own; None clears it. The label shows the tab in front's (usertest 24: a chat answer's "3.6 tokens/s"
        had stood on the Text tab as if a continuation's). It goes with what it was true of: another
        conversation shown, another adapter or model in use (user test: "23.4 tokens/s" stood on after those,
        read as the speed now)."""
        self.speeds[tab] = (tokens_per_s, tokens, adapter_id) if tokens_per_s else None
        self._show_speed()

    def speed_tab(self, tab: str) -> None:
        """The tab in front ("chat" or "text"): the label shows the speed of what was last written there."""
        self.front = tab
        self._show_speed()

    def _show_speed(self) -> None:
        speed = self.speeds.get(self.front)
        tokens_per_s, tokens = speed[:2] if speed else (None, None)
        self.speed_label.setText(f"{SPEED_LEAD[self.front]}{per_second(tokens_per_s)} tokens/s" if tokens_per_s else "")
        self.speed_label.setToolTip(speed_tip(tokens_per_s, tokens, self.adapter_label.text(), self.front)
                                    if tokens_per_s else "")

    def adapter_now(self, adapter: str, adapter_id: int | None) -> None:
        """The adapter in use now (its label and id): a speed measured under another one is cleared."""
        for tab, speed in self.speeds.items():
            if speed is not None and speed[2] != adapter_id:
                self.speeds[tab] = None
        self.show_adapter(adapter)
        self._show_speed()


SPEED_OF = {"chat": "The last answer's speed", "text": "The last continuation's speed"}
# before the figure: a continuation's speed stands alone in the status bar after it ends, and a bare "3.4 tokens/s"
# read as the speed of something writing now (textfold77); a chat answer's stands by its card, which says it too
SPEED_LEAD = {"chat": "", "text": "last: "}


def speed_tip(tokens_per_s: float, tokens: int | None, adapter: str, tab: str = "chat") -> str:
    count = f" ({counted(tokens, 'token', grouped=True)})" if tokens else ""
    cleared = "another conversation, model or adapter" if tab == "chat" else "another model or adapter"
    return (f"{SPEED_OF[tab]}{count}, with {adapter}: {per_second(tokens_per_s)} tokens a second. "
            f"Cleared when {cleared} is taken.")
