"""What the compare view shows for the text picked, and the scoring it asks for: an answer's stored
scorings (a kept fine-tune re-scores every rated answer), else the chat model scoring it on its lane;
a rated Text continuation, a better text the person wrote and a re-asked answer are scored when picked,
the last two kept while the window lives. Its drawing is compare_view.py's."""

from __future__ import annotations

import html

from desktop_app.core.session import weights_of, written_by_its_writer
from desktop_app.gui.compare_data import fact_key, fact_of, question_of
from desktop_app.gui.compare_words import (GREEN, NO_ADAPTER_NOTE, PURPLE, better_expectation, better_key, better_of,
                                           continuation_expectation, prompt_words, text_prompt_words)
from desktop_app.gui.tasks import TaskState


class CompareScoring:
    """CompareView's part that fetches or asks for the two scorings of the text picked (a mixin: its
    state is the view's, see CompareView's attributes). The view provides the widgets it fills
    (``view``, ``prompt_label``, ``expect_label``, ``scoring``), what it is compared with
    (``compared_with``, ``against``) and the drawing it hands the scorings to (``set_data``,
    ``_show_note``, ``_show_pair``, ``_expectation``, ``_say_expectation``)."""

    def refresh(self) -> None:
        self.cancel()  # a scoring asked for another answer or baseline is not wanted now
        mid, active = self.message_id, self.active()
        baseline = self.compared_with
        if mid is None:
            self._show_note("No rated answers yet: rate an answer, fine-tune, then compare here.")
            return
        if fact_of(mid) is not None:
            self._refresh_fact(*fact_of(mid), active)
            return
        if better_of(mid) is not None:
            self._refresh_better(better_of(mid), active)
            return
        if mid < 0:
            self._refresh_branch(-mid, active)
            return
        self._refresh_answer(mid, active, baseline)

    def _refresh_answer(self, mid: int, active: dict | None, baseline: int | None) -> None:
        """A model's answer: its stored scorings under ``baseline`` (an earlier adapter's id, None for the
        base model) and the active adapter, else scored now under both (the adapter in use must be worn)."""
        try:
            m = self.store.get_message(mid)
            thread = self.store.thread(mid)
        except Exception:  # noqa: BLE001
            self._show_note("That answer is gone.")
            return
        self._expectation(mid)
        self.prompt_label.setText(prompt_words(question_of(thread)))
        if active is None:
            self._show_note(NO_ADAPTER_NOTE, m)
            return
        model = active["base_model"]  # the scorings of the model the adapter is for, never another model's
        after = self.store.token_records(mid, adapter_id=active["id"], kind="rescored", model_id=model)
        before = self.store.token_records(mid, adapter_id=baseline, kind="rescored", model_id=model)
        if (not before and m.get("adapter_id") == baseline and m.get("model_id") == self.model_id
                and written_by_its_writer(m)):
            before = self.store.token_records(mid)  # written by that very model: the same numbers
        loaded = self.chat.loaded
        wearing = loaded is not None and loaded.adapter_id == active["id"]
        # both sides read by the same weights, or the change is partly rounding: a pair stored by two precisions
        # (a kept run's float32 copy, then the chat's bfloat16 weights) is read again with the chat's weights,
        # which read both sides; where the chat cannot read it now, the pair shows and its summary says so
        if after and before and (weights_of(before) == weights_of(after) or not wearing):
            self.set_data(before, after)
            return
        if not wearing:
            self._show_note("This answer has not been scored under both models yet; it will be after the next "
                            "kept fine-tune.", m)
            return
        against = self.against()
        self._score("answer", m, lambda *calls: self.chat.score_for_compare(mid, active["id"], *calls,
                                                                              against=against))

    def _refresh_branch(self, branch_id: int, active: dict | None) -> None:
        """A rated Text continuation: scored now under what it is compared with and the active adapter."""
        branch = self.branches.get(branch_id)
        if branch is None:
            self._show_note("That continuation is gone.")
            return
        self._branch_expectation(branch)
        self.prompt_label.setText(text_prompt_words(branch["prompt"]))
        message = {"text": branch["text"]}
        if not self._scorable_under(active, message, "A Text continuation"):
            return
        against = self.against()
        self._score("continuation", message, lambda *calls: self.chat.score_branch_for_compare(
            branch_id, active["id"], *calls, against=against))

    def _scorable_under(self, active: dict | None, message: dict, what: str) -> bool:
        """Whether ``what`` (a text with no stored scores) can be scored now: only under the adapter
        in use, once the chat model wears it; otherwise says why, showing ``message`` plain."""
        if active is None:
            self._show_note(NO_ADAPTER_NOTE, message)
            return False
        loaded = self.chat.loaded
        if loaded is None or loaded.adapter_id != active["id"]:
            self._show_note(f"{what} is scored only under the adapter in use, once the model wears it.", message)
            return False
        return True

    def _refresh_better(self, key: int, active: dict | None) -> None:
        """The better text the person wrote for answer ``key`` (or continuation ``-key``):
        scored now under what it is compared with and the active adapter, kept in ``better_scores``
        while the window lives (not stored: the person can rewrite it)."""
        text = self._better_text(key)
        if text is None:
            self._show_note("That better answer is gone.")
            return
        self.token_ratings, self.rated_rows = {}, []
        self.view.set_marks({})
        self._say_expectation([better_expectation(key < 0, self._thumbs_of(key))], better_key(key))
        self.prompt_label.setText(self._better_prompt(key))
        message = {"text": text}
        if not self._scorable_under(active, message, "A text you wrote"):
            return
        cache_key = self._kept_key(key, active, text)
        if cache_key in self.better_scores:
            self.set_data(*self.better_scores[cache_key])
            return
        against = self.against()

        def ask(*calls):
            if key > 0:
                return self.chat.score_correction_for_compare(key, active["id"], *calls, against=against)
            return self.chat.score_branch_for_compare(-key, active["id"], *calls, better=True, against=against)

        self._score("better answer" if key > 0 else "better continuation", message, ask, keep=cache_key)

    def _refresh_fact(self, index: int, side: str, active: dict | None) -> None:
        """An answer to a never-rated question whose fact the run changed, as the run stored it
        (text): scored now under what it is compared with and the active adapter, kept while the window lives."""
        if index >= len(self.facts):
            self._show_note("That answer is gone.")
            return
        fact = self.facts[index]
        self.token_ratings, self.rated_rows = {}, []
        self.view.set_marks({})
        other = "after" if side == "before" else "before"
        self.expect_label.setText(
            f"You never rated this question: the fine-tune asked it again and its answer {fact['how']} "
            f"(\u201c{html.escape(' '.join(fact.get(other, '').split())[:80])}\u201d {other} the run). "
            f"This is the answer {side} the run: expect <b style='color:{GREEN}'>green</b> for the new answer, "
            f"<b style='color:{PURPLE}'>purple</b> for the old one.")
        self.expect_label.show()
        self.prompt_label.setText(prompt_words(fact["question"]))
        text = fact.get(side) or ""
        message = {"text": text}
        if not self._scorable_under(active, message, "A re-asked answer"):
            return
        cache_key = self._kept_key(fact_key(index, side), active, fact["question"], text)
        if cache_key in self.better_scores:
            self.set_data(*self.better_scores[cache_key])
            return
        against = self.against()
        self._score("answer", message, lambda *calls: self.chat.score_reask_for_compare(
            fact["question"], text, fact["tokens"], active["id"], *calls, against=against), keep=cache_key)

    def _kept_key(self, key, active: dict, *text) -> tuple:
        """The key a text scored here is kept under in ``better_scores``: its picker key, the adapter in use,
        its words and what it is compared with (one text against two earlier adapters is two scorings)."""
        return (key, active["id"], *text, self.compared_with)

    def _thumbs_of(self, key: int) -> int | None:
        """The thumb on answer ``key`` (or continuation ``-key``): 1, -1 or None."""
        if key < 0:
            return (self.branches.get(-key) or {}).get("thumbs")
        try:
            return self.store.message_rating(key)
        except Exception:  # noqa: BLE001 - deleted meanwhile
            return None

    def _better_text(self, key: int) -> str | None:
        if key > 0:
            return self.corrections.get(key)
        return (self.branches.get(-key) or {}).get("correction")

    def _better_prompt(self, key: int) -> str:
        if key < 0:
            return text_prompt_words(self.branches[-key]["prompt"])
        try:
            thread = self.store.thread(key)
        except Exception:  # noqa: BLE001 - deleted meanwhile
            return ""
        return prompt_words(question_of(thread))

    def _branch_expectation(self, branch: dict) -> None:
        self.token_ratings, self.rated_rows = {}, []
        self.view.set_marks({})
        self._expect(-branch["id"], continuation_expectation(branch["thumbs"], bool(branch["correction"])))

    def _score(self, what: str, message: dict | None, ask, keep: tuple | None = None) -> None:
        """Have the chat model score the shown ``what`` ("answer", "continuation", "better
        answer"; adapter on, then off) on its lane: ``ask(done, failed, progress)`` queues it.
        Its progress shows with a Cancel; a result shows only while it is still the one asked
        for; ``keep``: the key it is kept under in ``better_scores``."""
        self.cancel()
        self._show_note("", message)  # the progress row above says what happens
        asked: dict = {}  # this request's task: a later request's must not be forgotten

        def current() -> bool:
            return self.task is not None and self.task is asked.get("task")

        def done(result):
            if keep is not None:
                self.better_scores[keep] = result
            if current():
                self.task = None
                self.scoring.finish()
                self.set_data(*result)

        def failed(error):
            if current():
                self.task = None
                self.scoring.finish()
                self._show_note(f"This {what} could not be scored: {error}", message)

        def progress(item):
            if current():
                self.scoring.show_pass(item)

        self.task = asked["task"] = ask(done, failed, progress)
        self.scoring.start(what, waiting=self.task.state is TaskState.WAITING and self.chat.lane.running is not None)
        self._show_pair()  # now it can say "scoring…" of the text picked

    def _score_pair(self, answer: int, active: dict) -> bool:
        """The better answer the person wrote for answer ``answer`` (the one picked), scored on the model lane
        after the view's own scoring and kept in ``better_scores`` as if picked: its line beside the model's
        had said "not scored yet: pick … above" until it was picked (usertest32). Whether it is scored, or
        being scored (False: it cannot be here, another adapter is in use; or its scoring failed)."""
        text = self.corrections.get(answer)
        key = self._kept_key(answer, active, text)
        if self.pair_task is not None or key in self.better_scores:
            return True
        loaded = self.chat.loaded
        if text is None or key in self.pair_failed or loaded is None or loaded.adapter_id != active["id"]:
            return False

        asked: dict = {}  # a cancelled task's late word must not end a later one

        def ended(result=None, failed: bool = False):
            if result is not None:
                self.better_scores[key] = result
            if self.pair_task is asked.get("task"):
                if failed:
                    self.pair_failed.add(key)
                self.pair_task = None
                self._show_pair()

        self.pair_task = asked["task"] = self.chat.score_correction_for_compare(
            answer, active["id"], ended, lambda _error: ended(failed=True), against=self.against())
        return True

    def _cancel_pressed(self) -> None:
        """Cancel by the progress bar: the scoring stops (between its passes), the note says how to start over."""
        what = self.scoring.what
        self.cancel()
        self._show_note(f"Scoring cancelled. Pick the {what} again to score it.")

    def cancel(self) -> None:
        """Drop the scoring asked for (the answer changed, the dialog closed, or Cancel)."""
        if self.task is not None:
            self.chat.cancel_task(self.task)
            self.task = None
        if self.pair_task is not None:
            self.chat.cancel_task(self.pair_task)
            self.pair_task = None
        self.scoring.finish()

