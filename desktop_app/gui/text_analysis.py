"""The Text view's tools for long texts and for exports, wired in by ``install(view)``:
the progress of an analysis with Cancel (in the summary panel), the part analysed before
Cancel shown, and the Export menu (heatmap PNG or HTML page, tokens JSON, summary CSV).

A very long text (a 5 MB file is about a million tokens) is scored on the model lane
window by window, so the window stays responsive; its summary covers every token, while
the heatmap draws at most HEATMAP_MAX_TOKENS of them (laying out a million coloured spans
would hold the window for minutes), and only those keep their top alternatives (for the
inspector; ten million more small objects would make Python's cycle collector freeze the
window). The JSON export has every token (alternatives for those drawn): it is built and
written on the store lane (seconds for a long text), the PNG and the CSV at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.core import text_export
from desktop_app.core.text_notes import COLOURING, PAUSED_FOR_CHAT, READING, colouring_words
from desktop_app.core.errors import UserFacingError
from desktop_app.gui import save_folder
from desktop_app.gui.tasks import Task

HEATMAP_MAX_TOKENS = 20_000
FILTERS = {"txt": "Text (*.txt *.md)", "png": "PNG image (*.png)", "html": "Web page (*.html)", "json": "JSON (*.json)",
           "csv": "CSV (*.csv)", "tokens.csv": "CSV (*.csv)"}
# the save dialog's title names what is saved, as the Export menu's item did (it said "Export" for all four;
# usertest21)
TITLES = {"txt": "Export the text", "png": "Export the heatmap as PNG", "html": "Export the heatmap as a web page",
          "json": "Export the tokens as JSON", "csv": "Export the summary as CSV",
          "tokens.csv": "Export every token's figures as CSV"}


def heatmap_records(records) -> list:
    """What the heatmap draws of a text's records (the first HEATMAP_MAX_TOKENS)."""
    return records[:HEATMAP_MAX_TOKENS]


class AnalysisTools(QObject):
    """Progress, Cancel, partial results and exports for one TextView.

    Attributes:
        view: the TextView; shown: (ScoredText, TextSummary) on screen now, or None.
        token_ratings: () -> {token index: +1 / -1}, the tokens rated on the path shown (the Text tab sets it),
            which the JSON export gives each token as its ``rating``."""

    exported = Signal(object)  # the Path of a finished export

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.shown = None
        self.token_ratings = dict
        c, panel = view.controller, view.summary_panel
        c.analyse_progress.connect(panel.show_progress)
        c.analyse_progress.connect(self._say_progress)
        c.analysed.connect(self._analysed)
        c.analysis_stopped.connect(self._stopped)
        c.error.connect(self._failed)
        panel.cancel_requested.connect(c.cancel_analysis)
        c.chat.stream_started.connect(lambda _user: self._chat_answers(True))
        c.chat.answer_finished.connect(lambda _answer: self._chat_answers(False))
        panel.export_requested.connect(lambda kind: self.export(kind))

    def _say_progress(self, progress) -> None:
        """The status words say what runs and how far (text_notes.colouring_words), unless a continuation
        is being written: its "writing…" stays."""
        if not self.view.controller.continuing:
            self.view.status.setText(colouring_words(progress))

    def _chat_answers(self, answering: bool) -> None:
        """An answer asked in Chat goes ahead of the analysis (it stops and goes on after): the colouring's
        words say it waits, then no longer."""
        words = self.view.status.text().removesuffix(PAUSED_FOR_CHAT)
        if words.startswith((COLOURING, READING)) and self.view.controller.lane.find("analyse"):
            self.view.status.setText(words + PAUSED_FOR_CHAT if answering else words)

    def _failed(self, _message: str) -> None:
        self.view.summary_panel.hide_progress()
        if self.view.status.text().startswith((COLOURING, READING)):
            self.view.status.setText("")  # the error banner says what happened; the analysis is no more

    def _analysed(self, scored, summary) -> None:
        self.shown = (scored, summary)
        self.view.summary_panel.hide_progress()
        if len(scored.records) > HEATMAP_MAX_TOKENS:
            self.view.status.setText(f"heatmap: the first {HEATMAP_MAX_TOKENS:,} of {len(scored.records):,} "
                                     "tokens (the summary and the JSON export have all)")

    def _stopped(self, scored, summary) -> None:
        """Cancelled: show the part analysed (the next analysis goes on from it)."""
        self.shown = (scored, summary)
        self.view.summary_panel.hide_progress()
        self.view.show_scored(scored)
        # stopped inside the first pass: "not analysed", not the "too short" of an empty summary
        self.view.summary_panel.set_summary(summary if scored.records else None)
        if scored.ids:
            self.view.status.setText(f"stopped: {len(scored.records):,} of {scored.scorable:,} tokens analysed")
        else:
            self.view.status.setText("stopped before any token was analysed")

    # ------------------------------------------------------------ exports
    def export(self, kind: str, path: str | None = None) -> Path | None:
        """Write what is shown: "txt" (the text itself), "png" (the heatmap, at the heatmap's width and colours: the
        measure's, or "Fine-tune's change"'s while it is on, each with its key), "html" (the heatmap as a web page in the
        colours the PNG has, each token's figures on hover),
        "json" (every token's record and the summary) or "csv" (the summary). Asks for a
        file name unless ``path`` is given; says in the status bar where it went, and
        ``exported`` gives the path. Returns it, or None when nothing was written yet (the
        JSON export, on the store lane) or when it failed (said in words)."""
        if self.shown is None and kind != "txt":  # the text itself needs no analysis
            return None
        if path is None:
            path = self._ask_path(kind)
            if not path:
                return None
        if kind == "txt":
            return self._save_text(path)
        scored, summary = self.shown
        if kind == "json":
            self._export_json(path, scored, summary)
            return None
        return self._reported(lambda: self._write(kind, path, scored, summary))

    def _save_text(self, path: str) -> Path | None:
        """The text as shown (the main text, or the branch on screen) into a file of its own."""
        return self._reported(lambda: text_export.write_text_atomically(path, self.view.editor.toPlainText()))

    def _reported(self, write) -> Path | None:
        """``write()``'s file, said in the status bar; None when it failed (said in words)."""
        try:
            written = write()
        except UserFacingError as exc:
            self.view.controller.error.emit(str(exc))
            return None
        self._written(written)
        return written

    def _export_json(self, path: str, scored, summary) -> Task:
        """Every token as JSON, built and written on the store lane (what is shown now)."""
        from desktop_app.core.documents import written_by_model

        loaded = self.view.controller.chat.loaded
        about = {"title": self.view.documents.currentText(), "model": loaded.model_id if loaded else None}
        written = written_by_model(scored.unscored_prefix, scored.records, self.view.controller.shown_spans)
        ratings = self.token_ratings()

        def failed(error) -> None:
            self._say("")
            self.view.controller.error.emit(str(error))

        self._say(f"Exporting {Path(path).name}\u2026")
        return self.view.controller.chat.tasks.store.submit(Task(
            lambda _report, _cancel: text_export.write_analysis_json(path, scored, summary, written, ratings, **about),
            "export text analysis", "export", on_success=self._written, on_failure=failed))

    def _written(self, path: Path) -> None:
        """Where it went, its whole path, in the window's status bar (as the chat's exports say
        it; "exported summary.csv" alone left the folder a guess)."""
        self._say(f"Saved {path}", 8000)
        self.exported.emit(path)

    def _say(self, words: str, ms: int = 0) -> None:
        """An export's words in the window's status bar: in the tab's own status line, which a
        narrow bar puts on a row of its own, they took the editor's room (usertest 8)."""
        status_bar = getattr(self.view.window(), "statusBar", None)
        if status_bar is None:  # the view on its own, outside the window
            self.view.status.setText(words)
        elif words:
            status_bar().showMessage(words, ms)
        else:
            status_bar().clearMessage()

    def _write(self, kind: str, path: str, scored, summary) -> Path:
        if kind == "csv":
            return text_export.write_summary_csv(path, summary)
        if kind == "tokens.csv":
            return text_export.write_tokens_csv(path, scored.records)
        if kind == "html":
            return self._write_html(path, scored)
        from desktop_app.gui.text_export import export_ratio, write_heatmap_png

        width = max(400, self.view.heatmap.width())
        as_shown = {"model_written": self.view.heatmap.model_written,  # at least as sharp as on screen
                    "pixel_ratio": export_ratio(self.view.heatmap.devicePixelRatioF())}
        change = getattr(self.view, "change_mode", None)
        drawn = change.export_colours() if change is not None else None
        if drawn is None:  # the measure's colours, as on screen
            return write_heatmap_png(path, scored, width=width, measure=self._measure(), **as_shown)[0]
        changed, colorizer, key = drawn  # "Fine-tune's change" on: its colours and its key, as on screen
        return write_heatmap_png(path, changed, width=width, colorizer=colorizer, key=key, **as_shown)[0]

    def _write_html(self, path: str, scored) -> Path:
        """The heatmap's tokens as a web page, in the measure's colours or, with "Fine-tune's change" on, the
        change's (and its before/after figures in each token's box), saying which model and adapter made them."""
        from desktop_app.core.adapters import stored_label
        from desktop_app.core.heatmap_html import write_heatmap_html

        chat = self.view.controller.chat
        loaded = chat.loaded
        # the scoring's own key names what scored it (the model may have changed since): (id, model, adapter, ...)
        key = scored.model_key or (None, loaded.model_id if loaded else "", loaded.adapter_id if loaded else None)
        adapter = stored_label(chat.store, key[2]) if isinstance(key[2], int) else None
        names = dict(title=self.view.documents.currentText() or "text", model=key[1] or "the model", adapter=adapter,
                     model_written=self.view.heatmap.model_written)  # the continuation in italics, as on screen
        change = self._change_colours()
        if change is not None:  # the change's records are the adapter's scoring, not the measure's pass
            changed, colours = change
            return write_heatmap_html(path, heatmap_records(changed.records), self._measure(), change=colours,
                                      prefix=changed.unscored_prefix, **names)
        return write_heatmap_html(path, heatmap_records(scored.records), self._measure(),
                                  prefix=scored.unscored_prefix, **names, **self._summary_for_page())

    def _summary_for_page(self) -> dict:
        """The summary the Text tab shows, for the page's Summary section: the person's own tokens where a
        continuation is in the text (saying so), as the tab's charts are."""
        from desktop_app.gui.text_summary import charted_summary

        summary = self.view.summary_panel.summary
        if summary is None or not summary.tokens:
            return {}
        mine = summary.yours is not None and summary.yours.tokens
        return {"summary": charted_summary(summary),
                "summary_about": "Your text, without the model's continuation." if mine else ""}

    def _change_colours(self):
        """(the change's ScoredText, its core.heatmap_html.ChangeColours) while "Fine-tune's change" colours the
        text, with the key's words its PNG has; None while it is off."""
        from desktop_app.core.adapters import stored_label
        from desktop_app.core.heatmap_html import ChangeColours
        from desktop_app.gui.compare_words import nice_scale

        mode = getattr(self.view, "change_mode", None)
        drawn = mode.export_colours() if mode is not None else None  # UserFacingError while it is scored
        if drawn is None:
            return None
        changed, _colourer, key = drawn
        change = mode.change
        colours = ChangeColours.of_change(change, nice_scale(list(change.deltas)), key.title,
                                          stored_label(self.view.controller.chat.store, change.adapter_id))
        return changed, colours

    def _measure(self) -> str:
        measure = self.view.heatmap.measure
        return measure if measure in ("probability", "rank", "entropy", "surprisal") else "probability"

    def suggested_name(self, kind: str) -> str:
        """The file name an export of ``kind`` suggests: the text's title, "-summary" for the CSV,
        "-change" for a PNG drawn in Fine-tune's change's colours (the measure's picture of the same
        text, exported before, keeps its name)."""
        stem = text_export.file_stem(self.view.documents.currentText())
        change = getattr(self.view, "change_mode", None)
        suffix = "-summary" if kind == "csv" else "-change" if kind == "png" and change is not None and change.on else ""
        return f"{stem}{suffix}.{kind}"

    def _ask_path(self, kind: str) -> str:
        return save_folder.ask_save_path(self.view, TITLES[kind], self.suggested_name(kind), FILTERS[kind])


def install(view) -> AnalysisTools:
    return AnalysisTools(view)
