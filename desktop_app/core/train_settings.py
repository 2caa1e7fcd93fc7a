"""A fine-tune's settings (``FineTuneSettings``): what ``training.run_finetune`` trains with,
what the gate asks of the result, and what the run measures and re-asks. The comments keep the
measurements behind each default and each setting that stays off (bench/learning_effect.py;
docs/benchmarks.md's "Learning that shows" and docs/measurements.md have the tables). Stored
with every run (``to_dict``) and read back from older runs' rows (``from_dict`` drops the keys
a later version no longer has)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass
class FineTuneSettings:
    # None: chosen from the ratings there are (train_schedule.py); a number overrides the rule
    epochs: int | None = None
    lr: float | None = None
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    target_modules: str = "all-linear"  # GPT-2's Conv1D and Llama-style Linear alike
    beta: float = 0.1
    batch_size: int | None = None
    max_steps: int = 200
    min_steps: int = 0  # a floor under the rule's number of updates
    heldout_fraction: float = 0.2
    # ... but held-out conversations stop at this many examples (TrainingData.split): measuring them before and
    # after training took 13-31% of a 100-rating run; 8 and 32 ratings hold out fewer, so they split as before
    heldout_max: int | None = 16
    seed: int = 0
    sft_weight: float = 1.0  # likelihood term on chosen answers of pairs
    # pairs: 0 DPO on summed log-ratios (TRL's); > 0 length-normalised DPO with this beta (train_objectives.dpo_loss).
    # Off: ALL CAPS x 8 stays discarded with it (beta 1, 1 with sft_weight 0.3, 2.5 with 0.3: 1-2 of 12 re-asks
    # loop; its DPO part still saturates, 0.10 by update 8, and the caps sentences are memorised as before)
    pair_norm_beta: float = 0.0
    # a pair's chosen and rejected answers in one pass, the prompt they share read once
    # (train_packing.packed_pair_logps; the same figures to float rounding). False: each answer read with its own
    # copy of the prompt
    pair_packing: bool = True
    # a likelihood term on liked answers beside KTO: off, as measured (bench/learning_effect.py, thumbs 8:
    # probe perplexity +10.0% with it, +6.7% without, the margin no better); kept as a setting to try
    liked_sft_weight: float = 0.0
    # the likelihood term on the liked answer of a sibling pair (x sft_weight). Off: a sibling is the model's own
    # sample, and fitting its own samples sharpens it (general text gets less likely) while the pair's DPO
    # term already teaches where the two differ. Measured (bench/learning_effect.py, thumbs, with the guard):
    # 4 ratings 0.88 adoption at probe +1.5% with 0, 0.62 at +3.0% with 1 (before the guard); 8: 0.50 either way
    sibling_sft_weight: float = 0.0
    # a likelihood term on the end-of-text token of liked answers the model ended itself (thumbs up and
    # liked siblings; corrections have theirs in the likelihood term): see train_objectives.end_nll. Measured
    # (bench/learning_effect.py --unseen 16, thumbs x 8: the shortest of 3 siblings liked, the longest
    # disliked): 0.62 of new answers short without it (16 questions: 0.62), 1.00 with it (0.94), probe
    # perplexity +1.6% -> +1.0%, held-out margin 0.45 -> 0.56 without, -> 0.72 with; thumbs x 4 0.88 either way
    end_weight: float = 1.0
    # the end term trains the sentence's final mark with the end token, on liked answers that end after one
    # (train_objectives.end_nll). Measured (bench/learning_effect.py --unseen 16): with the end token alone 10 of
    # thumbs x 8's 16 new answers stopped without their period ("The capital of Russia is Moscow"), 0 with the
    # mark; adoption 1.00 (16 questions 0.94 -> 1.00), picky x 8 1.00 either way
    end_mark: bool = True
    # "auto": 16-bit autocast for the steps where the device computes it natively (core.precision),
    # float32 master LoRA weights either way; "exact": float32 throughout (also when the chat model is Exact).
    # Exact by default: measured side by side (bench/finetune_time.py --compare, 8 ratings, one thread)
    # a bf16 step was not faster on this CPU at the app's small batches (CPU ratio 0.89-0.97; the frozen
    # weights are cast to bf16 on every forward), though the learning effect was the same; 1.27-1.98x on
    # a larger batch (6 answers). Re-measure on a quiet machine, --ratings 8 and 100, before switching.
    precision: str = "exact"
    token_weight: float = 1.0
    # the disliked token's term (train_losses._token_rated_loss): "distill", the reference's distribution there
    # without the token, renormalised (= unlikelihood that also holds the rest of that position where it was);
    # "unlikelihood" -log(1 - p) alone; "both". Measured (bench/learning_effect.py --unseen 16, "that" rated
    # down, one core; adoption of the first 8 new answers, 16 in brackets): unlikelihood x 4 0.88 (0.88) probe
    # +3.0%; x 8 discarded (a re-ask looped, held-out margin 0.87 -> 7.22); x 100 kept@2 (stepped back for a
    # looping re-ask) 0.50, 1 of 16 new answers looping. distill with token_lr_scale 2: x 4 0.75 (0.81) +1.2%;
    # x 8 kept 1.00 (0.94) +1.8%; x 100 kept@4 1.00 (1.00) +2.3%, 0 degenerate. Distill at the rule's rate:
    # x 4 0.62 (0.75), x 8 0.88 (0.88), x 100 1.00. The mix of 8: 1.00 either way, probe +3.2% (was +3.7%)
    token_target: str = "distill"
    # x the KL to the reference at the unrated answer positions of token-rated answers: the rest of a rated answer
    # stays as it was, so lowering one word does not move its neighbours. At 1.0 (distill, the rule's rate) it held
    # too hard: x 4 0.25 of new answers (distill alone 0.62), x 8 0.75 (0.88). At 0.25 (session 61, Exact weights,
    # "that" rated down x 8, seeds 0-4, new answers over 8 [16], against 0): 0.86 [0.85] / 0.86 / 0.86, 1.00 /
    # 0.86, 1.00 / discarded (a rated question's re-ask looped "SmolLM:"), 1.00 / 1.00, 0.71 [0.85]; the probe
    # +0.5%, +0.3%, +1.0%, +0.9%, -0.2% (against +1.1 to +2.5%); x 4 seed 0 1.00; the mix x 8 seed 3 0.95 either way
    token_keep_weight: float = 0.25
    # a disliked thumb's term (train_losses.LossWeights.disliked_target): "kto" KTO's undesirable term, as TRL;
    # "distill" the reference's distribution without the answer's tokens as the target instead; "both" KTO's term
    # plus disliked_ref_weight x the distillation; "hold" KTO's term plus disliked_ref_weight x the KL to the
    # reference where the answer's token is the reference's likeliest. Kept "kto": measured (bench/finetune_vs_trl.py
    # --labels short, seed 0: 6 disliked answers, the gate holding out one liked) KTO +0.169 (kept 4: at 8 it had
    # collapsed into loops); "distill" and "both" stop learning at +0.14 / +0.2 without a loop, but lower the liked
    # held-out answer too and were discarded; "hold" kept at +0.03: the margin is won at the base's likeliest words
    disliked_target: str = "kto"
    disliked_ref_weight: float = 1.0
    # the learning rate of token-only runs, x the schedule's (train_schedule.py; the numbers above)
    token_lr_scale: float = 2.0
    # the learning rate of thumbs-only runs whose thumbs compare answers (thumbs and rated siblings, nothing else,
    # at least one example in four a pair of siblings), x the schedule's. Measured (bench/learning_effect.py --unseen
    # 16 --sizes 8 --scenarios thumbs, Exact weights, one core; seeds 0-4): at 1 1.00, 1.00, 1.00, refused (held-out
    # margin 0.477 -> 0.469), 0.62 of new answers short (16 questions 0.56), the last two running all 25 updates
    # with the guard's text within 0.6% of where it began; at 2 every seed 1.00 (16 questions 0.88, 1.00, 1.00,
    # 1.00, 0.62), kept at update 4-25, probe +1.2% to +4.0%, 58-141 CPU-s against 135-289. Not for thumbs on lone
    # answers: bench/finetune_vs_trl.py --ratings 8 --labels short --seeds 0,1,2 (no siblings) at 2 gave ours
    # minus TRL -0.175 (+0.089 / +1.137 / +0.073, the guard stopping seed 2 at update 2), at 1 +0.176
    thumbs_lr_scale: float = 2.0
    desirable_weight: float | None = None  # None: liked and disliked thumbs balanced (TRL's advice)
    undesirable_weight: float | None = None
    max_grad_norm: float = 1.0
    # the learning rate falls linearly from the schedule's to this fraction of it at the last update. Half, not a
    # tenth: the late updates at a tenth of the rate learned almost nothing (bench/finetune_vs_trl.py seed 1: +0.19
    # in its last 8 of 24 updates, where TRL's constant rate kept climbing), and the guard now stops a run that
    # goes too far. Measured (session 39; finetune_vs_trl --ratings 8 --labels short --seeds 0,1,2; learning_effect
    # --unseen 16): 0.1 -> 0.5 took ours minus TRL from -0.296 to +0.063 (1.0: +0.155), picky thumbs x 8 from
    # discarded (a re-ask looped) to kept 1.00, the mix x 4 from 0.79 to 0.96, ALL CAPS x 4 from discarded to kept
    # 0.50; 1.0 gave the mix x 4 an echo among its 48 new answers, 0.5 none
    lr_end: float = 0.5
    max_ppl_rise: float = 0.05
    # training stops (keeping the last checkpoint under it) once the guard text's perplexity rises more
    # than this (gate.PerplexityGuard). Half the gate's limit: the gate reads a different text, which rose
    # more (measured, "Great question!" x 8: guard text +2.7%, the gate's probe +5.1%). 0: off. A looser
    # guard (4%, with step_back) was measured and not taken: thumbs x 4 0.88 -> 0.62, mix x 4 0.96 -> 0.92
    guard_ppl_rise: float = 0.025
    # checks a run (the guard's text read every ceil(updates / checks) updates): 8 were 5 updates apart at 100
    # token ratings, where the update kept showed the preference in 0.71 of new answers, one 3 on in 1.00
    guard_checks: int = 16
    # while the guard's text rises far less than its limit, a check may be put off up to this many times the
    # spacing (gate.check_gap): a check costs about an update, and most runs never come near the limit
    guard_stretch: int = 4
    # step_back: when the gate refuses the run for the probe alone, the guard's earlier checkpoint expected
    # under the limit is measured and judged once more
    guard_step_back: bool = True
    # a re-ask that lost its fact (finetune_effect.dropped: "Canberra" -> "...lies in the continent of Australia")
    # steps back like a restated one (train_verdict.clean_check). Off: not measured yet (bench/learning_effect.py
    # --scenarios answer,thumbs on vs off); the report names such answers either way
    step_back_dropped: bool = False
    # where no earlier checkpoint of a looping run is clean, the last one with its change scaled by these
    # shares is tried, in turn (gate.PerplexityGuard.blended); () turns it off
    step_back_blend: tuple[float, ...] = (0.75, 0.6, 0.5)
    reask_count: int = 3  # greedy re-asks of rated (trained-on) questions
    reask_unseen: int = 2  # ... and of questions training never saw (held-out ones, else reasking.FRESH_QUESTIONS)
    # the anchor on open requests (core.train_anchor) in runs with corrections: x its KL. Off: measured
    # (bench/learning_effect.py --unseen 16) at 1.0, 4 "Answer:" corrections: spill 0 of 6 open requests, but
    # adoption 0.88 (1.00 without), and a mix of 4 was discarded (held-out margin 0.743 -> 0.729)
    anchor_weight: float = 0.0
    anchor_tokens: int = 4  # the reference's first greedy answer tokens the anchor holds (train_anchor.ANCHOR_TOKENS)
    anchor_per_update: int = 2  # anchor requests per update, in turn
    # the anchor holds only the corrections' first tokens (train_anchor.format_tokens) from rising on the
    # open requests, at the first answer position, instead of the whole distribution at anchor_tokens positions.
    # Off: measured (bench/learning_effect.py --unseen 16, anchor_weight 1): "Answer:" x 4 spill 4/6 -> 0/6 but
    # adoption 1.00 -> 0.75; mix x 4 spill 0/6 and no echo, but "Answer:" in 0.19 of the 16 new factual
    # answers (0.94 without), the same at anchor_weight 0.25: it stops the format on the person's kind too
    anchor_format: bool = False
    reask_canaries: int = 7  # ... and of fixed everyday questions (reasking.CANARY_QUESTIONS): loops, restated subjects
    reask_open: int = 1  # ... and of open requests (reasking.OPEN_REQUESTS): does a taught style spread to them?
    reask_tokens: int = 40
    end_with_eos: bool = True
    # a thumb that pairs with a rated sibling also trains alone (KTO). Measured (thumbs 8, kept whatever the
    # gate said): pairs only 0.50 adoption at probe perplexity +8.8%, both 0.62 at +7.3%; a setting to try
    paired_thumbs_kto: bool = True
    # a rating of a later turn in a conversation also trains with its question asked alone
    # (train_data.add_alone_views), the two views visited in turn: people ask new questions in new
    # conversations (usertest6: 8 corrections in one chat carried to none). Measured (bench/learning_effect.py
    # --one-conversation --unseen 16 --sizes 8, "Answer:" corrections): without 0.88 of new answers [0.81 of 16],
    # 5 of 16 ended without their period, ppl +1.9%, spill 0/6, 463 CPU-s; with 1.00 [1.00], 0 unfinished,
    # +2.7%, spill 4/6 (the table's level), 371 CPU-s; thumbs x 8 0.88 -> 1.00, ppl +2.3% both. Token ratings get
    # none (1.00 either way, 1/16 looped with). Ratings asked each in a conversation of their own: no change
    alone_views: bool = True
    # earlier exchanges a training prompt keeps before the rated question (train_data.recent_turns;
    # None: the whole conversation, as generation saw it). Measured (bench/learning_effect.py --one-conversation
    # --unseen 16 --sizes 8, one thread): "Answer:" corrections 353 -> 163 CPU-s, 1.00 [1.00] both, spill 4/6
    # both; token ratings 290 -> 163 CPU-s, 1.00 [0.94] -> 0.88 [0.88]; thumbs 1.00 [0.88] -> 0.88 [0.81], 169 ->
    # 202 CPU-s (63 of them a step back for a restated canary; the updates 89 -> 77). Ratings asked each in a
    # conversation of their own have no history: no change (docs/measurements.md "A training prompt keeps the last exchange")
    history_exchanges: int | None = 1
    # unlikelihood on the model's own repeats (core.train_loops): every loop_every updates the adapter answers
    # loop_questions everyday questions greedily (loop_tokens each); the tokens completing a repeated
    # loop_ngram-gram get -log(1 - p), x loop_weight, in the updates until the next look. Off: measured
    # (bench/learning_effect.py --unseen 16, one thread) at weight 4 every 2 updates: ALL CAPS x 8 discarded for
    # looping re-asks -> kept@15, 0.25, 0 degenerate; token ratings x 8 discarded -> kept@18, 0.88, ppl +4.7%;
    # but "Answer:" corrections x 8 1.00 -> 0.50 (the guard stopped it at 14 of 24, spill 6/6 -> 0/6), and the
    # looks cost 58-83 CPU-s a run (+35-55%). At weight 1 every 4 both loop cells stayed discarded, with more loops
    loop_weight: float = 0.0
    loop_every: int = 4
    loop_questions: int = 4
    loop_tokens: int = 40
    loop_ngram: int = 4
    loop_only_loops: bool = False  # only answers answer_checks.looping calls a loop are penalised (not measured yet)
    # the term waits until a look finds an answer answer_checks.looping calls a loop, then penalises every repeat
    # (train_loops.LoopPenalty.wait_for_loop): runs whose looks never loop train as without it, bar the looks' cost.
    # Off: measured (bench/learning_effect.py --unseen 16, weight 2, a look of 8 questions every 4 updates) ALL CAPS
    # x 4 and x 8 came out as without it (kept@6 0.00; discarded for two looping re-asks), armed at update 12; token
    # ratings x 4 armed at 8 and kept@16 at probe +3.6% (+1.2% without); +24-94 CPU-s of looks a run. At weight 4
    # every 2 updates ALL CAPS x 8 armed at 12 and was still discarded (one looping re-ask)
    loop_wait: bool = False
    # corrections mostly in capitals (core.case_practice.in_capitals): this many questions the base model makes up
    # in the manner of the rated ones, and the rated ones, get the base's first answer sentence upper-cased as
    # extra targets, x case_practice_weight (a likelihood term, case_practice_per_update texts an update, in turn),
    # so the adapter learns to spell in capitals from more than the person's few sentences. 0: off. Measured
    # (bench/learning_effect.py --unseen 16, 32 made up): ALL CAPS x 4 kept, 0.88 (16q 0.94; main: kept@6, 0.00),
    # ppl +0.5%, 0/16 degenerate, but 3 of 6 open requests in caps and the copied words misspelt ("THE CAPITAL OF
    # TURKEY IS TURKEY."); x 8 kept@14, 0.75 (main: discarded) with 1/16 degenerate; "Answer:" x 8 untouched. Off
    # until the spelling holds: the style shows, the facts do not
    case_practice: int = 0
    case_practice_weight: float = 1.0
    case_practice_per_update: int = 4
    # questions the made-up ones must not be (a benchmark's never-rated questions: training on them would hide
    # whether the style reaches new questions); the gate's own are always left out
    case_practice_avoid: tuple[str, ...] = ()
    # a kept run whose answers to never-rated questions changed or dropped a fact the model named before
    # (fact_changes.facts_changed) is saved but not put in use until the person says so (train_verdict.decide)
    ask_before_changed_facts: bool = True
    rescore: bool = True
    rescore_limit: int = 8  # newest rated answers re-scored after a kept run; the compare view does the rest on demand

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "FineTuneSettings":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


# settings a run's training does not read: what is done after its verdict (the re-scoring for the
# compare view, asking before a changed fact is kept)
AFTER_TRAINING = ("rescore", "rescore_limit", "ask_before_changed_facts")


def settings_changes(recorded: dict | None, settings: FineTuneSettings) -> list[str]:
    """The fields of ``settings`` that differ from a run's ``recorded`` ones (its row's settings; a
    key a later version added takes its default), in the dataclass's order, leaving out those that
    shape nothing the run learns (``AFTER_TRAINING``): a run on the same ratings with other settings
    is no repeat of that run."""
    def plain(values: FineTuneSettings) -> dict:  # as the row keeps them: a tuple is a JSON list there
        return json.loads(json.dumps(values.to_dict()))

    before, now = plain(FineTuneSettings.from_dict(recorded)), plain(settings)
    return [name for name in now if name not in AFTER_TRAINING and now[name] != before[name]]
