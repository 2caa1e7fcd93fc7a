"""Why this token? in Text mode: the inspector's explanation (gui/explain_view.py) for a token
of the analysed text, a continuation's or the writer's own, and its attribution over the
heatmap. The explanation reads the text as its analysis did (the same token ids), so it is
offered only while the heatmap shows that analysis and no continuation is being written.
"""

from __future__ import annotations

from dataclasses import replace

from desktop_app.gui.explain_overlays import text_overlay
from desktop_app.gui.explain_reveal import place_in_heatmap
from desktop_app.gui.explain_wiring import start_text_explain
from desktop_app.gui.word_probe_view import TEXT_WAITS
from desktop_app.gui.off_words import text_explain_wait

CHANGED = ("The text changed since this token was shown (or a continuation is being written): click the token "
           "again once the colours are back.")


class TextExplainer:
    """Wires the inspector's ExplainView to a TextMode.

    Attributes:
        mode: the TextMode (its controller's analysis, its view's heatmap, the window).
        view: the inspector's ExplainView, shared with the chat.
        index: the heatmap token shown in the inspector, or -1.
    """

    def __init__(self, mode):
        self.mode = mode
        self.view = mode.window.inspector.explain
        self.index = -1
        self.said: tuple[bool, str] = (False, "")  # what the section says of the token: ready, or why not
        self.view.text_requested.connect(self.explain)
        self.view.overlay_toggled.connect(self._toggled)
        self.view.cleared.connect(self._clear_overlay)
        self.view.places[True] = self._place  # a ranked word clicked: found on the heatmap

    def scored_shown(self, index: int):
        """The analysis the heatmap shows, when token ``index`` is its record and nothing is
        being written; else None."""
        controller, heatmap = self.mode.controller, self.mode.view.heatmap
        scored = controller.scored
        if controller.continuing or scored is None or not 0 <= index < len(heatmap.records):
            return None
        if index >= len(scored.records) or heatmap.records[index] is not scored.records[index]:
            return None
        return scored if self.mode.view.offset_of(index) is not None else None

    def show(self, index: int) -> None:
        """Token ``index`` is shown in the inspector: Explain is offered when its text is finished, and a
        finished explanation of it, with the very text before it, shows again at once."""
        self.index = index
        self.said = self._readiness(index)
        key = self._key(index) if self.said[0] else None
        self.view.show_text_token(index, *self.said, key=key)
        # "How likely was…" reads the text as the same analysis did, so it waits as Explain does, and keeps
        # its last answer under the same key
        self.mode.window.inspector.probe.show_token(None, index, busy=None if self.said[0] else TEXT_WAITS,
                                                    in_text=True, key=key)

    def _key(self, index: int) -> tuple | None:
        """What token ``index``'s explanation depends on: the text up to it, what scored it, who wrote it and
        with which settings. Back on a token explained a minute before, it had been worked out anew (usertest34:
        another text opened and this one again)."""
        scored = self.scored_shown(index)
        if scored is None:
            return None
        settings, known = self._written_with(index)
        target = self.mode.rated_token(index)
        return (tuple(scored.ids[:index + scored.first + 1]), scored.model_key, target is not None,
                self.mode.picked_by_person(target), repr(settings), known)

    def follow(self, index: int) -> None:
        """What runs on the text changed (a continuation ended, an analysis began or ended): the
        section says the state now, and offers Explain the moment it can (text58: "once the continuation
        ends" stayed after it had ended). A token offered already is left alone: its explanation may be
        under way, or wait for Exact weights."""
        if index == self.index and not self.said[0] and self._readiness(index) != self.said:
            self.show(index)

    def _readiness(self, index: int) -> tuple[bool, str]:
        """(whether token ``index`` can be explained now, else what it waits for, in words)."""
        controller = self.mode.controller
        if self.scored_shown(index) is not None:
            return True, ""
        analysing = bool(controller.lane.find("analyse"))
        return False, text_explain_wait(continuing=controller.continuing, analysing=analysing)

    def explain(self, index: int) -> None:
        chat, make_context = self.mode.window.chat, self.context_maker(index)
        if make_context is None:
            self.view.failed(self.view.ticket, "No model is loaded yet." if chat.loaded is None else CHANGED)
            return
        start_text_explain(chat, self.view, make_context)

    def context_maker(self, index: int):
        """What makes token ``index``'s TokenContext from the loaded model (core.token_context.context_for_text):
        the text before it as the analysis the heatmap shows read it; None when no model is loaded or that
        analysis is not the shown one (a continuation or an analysis under way)."""
        from desktop_app.core.token_context import context_for_text

        chat, scored = self.mode.window.chat, self.scored_shown(index)
        if chat.loaded is None or scored is None:
            return None
        record, ids, (settings, known) = scored.records[index], list(scored.ids), self._written_with(index)
        target = self.mode.rated_token(index)
        by_model = target is not None  # a continuation wrote it
        picked = self.mode.picked_by_person(target)  # its first token, the person's pick: not sampled
        written_from = self.mode.continuation_start(index) if by_model else None
        adapter = scored.model_key[2] if scored.model_key else None

        def make_context(loaded):
            return context_for_text(loaded, ids, index, settings, by_model=by_model, recorded_prob=record.prob,
                                    scored_with_adapter=adapter, written_precision=record.precision,
                                    written_from=written_from, settings_known=known and by_model, picked=picked)

        return make_context

    def _written_with(self, index: int):
        """The sampler settings the continuation holding token ``index`` was written with, where it kept
        them (text58); else the settings now (the person's token, an older continuation); and whether stored."""
        from desktop_app.core.generation import SamplingSettings

        target = self.mode.rated_token(index)
        branch = None if target is None else self.mode.controller.tree.by_id.get(target[0])
        stored = {} if branch is None else branch.get("sampling") or {}
        if "temperature" not in stored:
            return replace(self.mode.window.chat.settings), False
        return SamplingSettings.from_dict({k: v for k, v in stored.items() if k != "branched_at"}), True

    def _place(self, a, i: int):
        """Where token ``i`` of the explanation's attribution ``a`` stands on the heatmap, for
        ExplainView.places: (its scroll area, the heatmap, start, end), or None."""
        text_view = self.mode.view
        found = place_in_heatmap(text_view.heatmap, a, self.index, i)
        return None if found is None or text_view.editing else (text_view.heatmap_scroll, text_view.heatmap, *found)

    def _toggled(self, on: bool) -> None:
        self._clear_overlay()
        result = self.view.result
        if on and self.view.in_text and result is not None and result.attribution is not None:
            self.mode.view.heatmap.set_overlay(text_overlay(result, self.index))

    def _clear_overlay(self) -> None:
        heatmap = self.mode.view.heatmap
        if heatmap.overlay is not None:
            heatmap.set_overlay(None)
