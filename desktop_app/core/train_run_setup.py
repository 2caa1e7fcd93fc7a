"""What a fine-tune's steps compare with and add, read once before the first step: the reference
log-probabilities (with the adapter off: the reference is fixed), the anchor of general answers
(core.train_anchor) and the case practice (core.case_practice). The run's ``RunSetup`` part; it reads the
run's ``settings``, ``store``, ``metrics`` and ``chooser`` and reports through ``say``, ``timed`` and
``counting`` (train_run_progress.RunProgress)."""

from __future__ import annotations

import contextlib

from desktop_app.core.finetune_effect import EVAL_BATCH
from desktop_app.core.train_data import TrainingData

# the steps of getting ready that generate text, and say so (raw: core.progress_words.STEP_WORDS puts them in a
# person's words for both front ends)
ANSWERING_REQUESTS = "Answering general requests with the model as it is"
WRITING_PRACTICE = "Writing practice answers in capitals"


class RunSetup:
    """The reference pass, the anchor and the case practice of a run (core.training._Run)."""

    def _references(self, work, train: TrainingData, pad_id: int, amp):
        """What the steps compare with, read once with the adapter off (the reference is fixed):
        the ratings' log-probabilities, the anchor's and the case practice's."""
        from desktop_app.core.train_references import TOKEN_TOP, reference_logps

        s = self.settings
        with work.model.disable_adapter(), amp.autocast(), self.timed("reference"), self.counting("preparing"):
            with self.measured_passes(work.model):
                refs = reference_logps(work.model, train, pad_id, work.device, EVAL_BATCH,
                                       token_top=self._token_top(),
                                       disliked_top=TOKEN_TOP if s.disliked_target != "kto" else 0,
                                       packed=s.pair_packing, exact=amp.dtype is None)
            anchor = self._anchor(work, train, pad_id)
            practice = self._case_practice(work, train, pad_id)
        return refs, anchor, practice

    @contextlib.contextmanager
    def measured_passes(self, model):
        """The reference pass's batches on the team measured faster for them (core.threads.measured_passes),
        as the steps choose theirs: it comes before the first step, and on a busy machine the fallback
        team of all cores doubled its cost (bench/learning_effect.py, thumbs x 100: 156 CPU-s on two
        threads, 61 on one). What it found seeds the steps' choice, so they need not try the slower team
        for a step. The teams it used: ``metrics["reference_teams"]``."""
        from desktop_app.core.threads import TeamChooser, measured_passes

        chooser = TeamChooser(self.chooser.cores)
        with measured_passes(model, chooser, self.metrics.setdefault("reference_teams", {})):
            yield
        self.chooser.seed(chooser)

    def _token_top(self) -> int:
        """Columns of the token-rated answers' reference distributions, 0 when no term reads them."""
        from desktop_app.core.train_references import TOKEN_TOP

        s = self.settings
        return TOKEN_TOP if s.token_keep_weight > 0 or s.token_target != "unlikelihood" else 0

    def _anchor(self, work, train: TrainingData, pad_id: int):
        """The brake on a corrected format spreading to open requests (core.train_anchor), for
        runs with corrections: thumbs and token ratings teach no format of their own."""
        from desktop_app.core.train_anchor import build_anchor, format_tokens

        s, anchor = self.settings, None
        if s.anchor_weight and any(p.source == "correction" for p in train.pairs):
            self.say("training", ANSWERING_REQUESTS, step=0)  # a minute or more of generating, uncounted
            anchor = build_anchor(work.model, work.tokenizer, work.context_window, work.device, pad_id,
                                  tokens=s.anchor_tokens, per_update=s.anchor_per_update,
                                  format_ids=format_tokens(train.pairs) if s.anchor_format else None)
        self.metrics["anchor_requests"] = len(anchor.seqs) if anchor else 0
        return anchor

    def _case_practice(self, work, train: TrainingData, pad_id: int):
        """The base's own answers upper-cased as extra targets (core.case_practice), for runs
        whose corrections are in capitals, when on."""
        from desktop_app.core.case_practice import build_case_practice, in_capitals
        from desktop_app.core.finetune_effect import question_texts
        from desktop_app.core.train_data import eos_suffix

        s, practice = self.settings, None
        if s.case_practice and in_capitals(work.tokenizer, train.pairs):
            self.say("training", WRITING_PRACTICE, step=0)
            asked = question_texts(self.store, train)
            rated = [asked[p.rejected_message_id] for p in train.pairs
                     if p.source == "correction" and asked.get(p.rejected_message_id)]
            with self.timed("case_practice"):
                practice = build_case_practice(work.model, work.tokenizer, work.context_window, work.device, pad_id,
                                               rated, made_up=s.case_practice,
                                               eos_suffix=eos_suffix(work.tokenizer, s.end_with_eos), seed=s.seed,
                                               per_update=s.case_practice_per_update,
                                               exclude=tuple(s.case_practice_avoid))
        self.metrics["case_practice_rows"] = len(practice) if practice else 0
        if practice:
            self.metrics["case_practice_texts"] = [f"{q} -> {a}" for q, a in practice.texts]
        return practice
