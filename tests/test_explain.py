"""Why this token? The logit lens, integrated gradients and the sampler facts, on real tiny
models (GPT-2, Llama, and a GPT-NeoX the lens does not know), a real adapter and a real store."""

from __future__ import annotations

import math
import threading

import pytest
import torch

from desktop_app.core import adapters, attribution, explain as ex
from desktop_app.core.explain_errors import ExplainCancelled, ExplainError
from desktop_app.core.generation import SamplingSettings, generate, sample_next, sampling_probs
from desktop_app.core.lens import final_logits, lens_parts, logit_lens
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.sampler_facts import sampler_facts
from desktop_app.core.scoring import score_ids
from desktop_app.core.store import Store
from desktop_app.core.text_pieces import piece_texts, segments_in_texts
from desktop_app.core.token_context import TokenContext, context_for_message

TEXT = "User: What is the capital of France?\nAssistant: The capital of France is Paris."


def _ids(loaded, text=TEXT):
    return list(loaded.tokenizer(text)["input_ids"])


def _save_tiny(config_cls, folder, tiny_model_dir, **config):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    torch.manual_seed(3)
    model = AutoModelForCausalLM.from_config(config_cls(vocab_size=len(tokenizer), **config))
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory, tiny_model_dir, session_paths):
    from transformers import LlamaConfig

    folder = _save_tiny(LlamaConfig, tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir, hidden_size=64,
                        intermediate_size=128, num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2,
                        max_position_embeddings=128, tie_word_embeddings=False)
    return open_model(str(folder), session_paths, device="cpu", precision="exact")


@pytest.fixture(scope="module")
def tiny_neox(tmp_path_factory, tiny_model_dir, session_paths):
    from transformers import GPTNeoXConfig

    folder = _save_tiny(GPTNeoXConfig, tmp_path_factory.mktemp("tiny-neox"), tiny_model_dir, hidden_size=64,
                        intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                        max_position_embeddings=128)
    return open_model(str(folder), session_paths, device="cpu", precision="exact")


# ------------------------------------------------------------------ logit lens

@pytest.mark.parametrize("which", ["tiny_model", "tiny_llama"])
def test_lens_last_layer_is_the_models_own_distribution(which, request):
    loaded = request.getfixturevalue(which)
    ids = _ids(loaded)
    records = score_ids(loaded, ids[:1], ids[1:], alternatives=10)
    layers = len(lens_parts(loaded.model)[0])
    for position in (3, len(ids) // 2, len(ids) - 1):
        lens, logits = logit_lens(loaded, ids[:position], ids[position])
        record = records[position - 1]
        assert len(lens.probs) == layers + 1 and lens.layer_names[0] == "embeddings"
        assert lens.token_ids[0] == ids[position]
        assert abs(lens.probs[-1][0] - record.prob) < 1e-5  # the stored record's probability
        assert lens.ranks[-1][0] == record.rank
        own = torch.softmax(logits.float(), -1)
        for column, token in enumerate(lens.token_ids):
            assert abs(lens.probs[-1][column] - float(own[token])) < 1e-5
        assert lens.layer_top[-1][0] == int(own.argmax())
        expected = next((r for r, ranks in enumerate(lens.ranks) if ranks[0] == 1), None)
        assert lens.first_top1 == expected


def test_lens_says_why_it_is_not_available_and_the_rest_still_works(tiny_neox):
    ids = _ids(tiny_neox)
    with pytest.raises(ExplainError, match="not available for 'gpt_neox'.*gpt2, llama"):
        lens_parts(tiny_neox.model)
    context = TokenContext(ids=ids[:12], prompt_len=6, settings=SamplingSettings())
    result = ex.explain(tiny_neox, context)
    assert result.lens is None and "gpt_neox" in result.lens_error
    assert result.attribution.complete and len(result.attribution.scores) == 11


def test_lens_and_attribution_use_the_active_adapter(tmp_path, tiny_model_dir):
    from tiny_model import random_lora

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    loaded = open_model(str(tiny_model_dir), paths, device="cpu", precision="exact")
    ids = _ids(loaded)[:10]
    base_lens, _ = logit_lens(loaded, ids[:-1], ids[-1])
    peft = random_lora(tiny_model_dir)
    peft.save_pretrained(tmp_path / "adapter", safe_serialization=True)
    adapters.attach(loaded, tmp_path / "adapter", 7)
    lens, logits = logit_lens(loaded, ids[:-1], ids[-1])
    adapted = score_ids(loaded, ids[:-1], ids[-1:])[0]
    assert abs(lens.probs[-1][0] - adapted.prob) < 1e-5
    assert abs(lens.probs[-1][0] - base_lens.probs[-1][0]) > 1e-4  # the adapter changed it: it was on
    result = ex.explain(loaded, TokenContext(ids=ids, prompt_len=4, settings=SamplingSettings(),
                                             written_with_adapter=7))
    assert result.adapter_id == 7 and result.attribution.complete
    # an answer the base model wrote is explained with the adapter set aside, which is on again after it
    base = ex.explain(loaded, TokenContext(ids=ids, prompt_len=4, settings=SamplingSettings()))
    assert (base.adapter_id, base.adapter_on) == (None, 7) and base.attribution.complete
    assert abs(base.lens.probs[-1][0] - base_lens.probs[-1][0]) < 1e-5
    assert abs(logit_lens(loaded, ids[:-1], ids[-1])[0].probs[-1][0] - adapted.prob) < 1e-5


# ------------------------------------------------------------------ integrated gradients

def test_attribution_is_complete_within_five_percent(tiny_model):
    ids = _ids(tiny_model)
    seen, chosen = ids[:-1], ids[-1]
    logits = final_logits(tiny_model, seen)
    other = ex.runner_up(logits, chosen)
    result = attribution.integrated_gradients(tiny_model, seen, chosen, other)
    logprobs = torch.log_softmax(logits.float(), -1)
    assert abs(result.difference - float(logprobs[chosen] - logprobs[other])) < 1e-4
    assert len(result.scores) == len(seen) and result.token_ids == seen
    assert abs(result.total - result.expected) <= 0.05 * abs(result.expected)
    assert result.gap <= 0.05 and result.complete
    assert any(abs(s) > 1e-6 for s in result.scores)


def test_fast_weights_are_differentiated_in_float32_and_given_back_bit_for_bit(tmp_path, tiny_model_dir):
    fast = open_model(str(tiny_model_dir), AppPaths.resolve(tmp_path / "fast").ensure(), device="cpu", precision="fast")
    if fast.precision not in attribution.WIDENED_PRECISIONS:
        pytest.skip(f"Fast loads as {fast.precision} on this machine")
    twin = open_model(str(tiny_model_dir), AppPaths.resolve(tmp_path / "exact").ensure(), device="cpu",
                      precision="exact")
    with torch.no_grad():  # the very 16-bit weights, held in float32
        for name, tensor in twin.model.state_dict().items():
            tensor.copy_(fast.model.state_dict()[name].float())
    ids = _ids(fast)
    seen, chosen = ids[:-1], ids[-1]
    other = ex.runner_up(final_logits(twin, seen), chosen)
    weights = {name: t.clone() for name, t in fast.model.state_dict().items()}
    answer = generate(fast, ids[:8], SamplingSettings(temperature=0.0, max_new_tokens=6)).text
    widened = attribution.integrated_gradients(fast, seen, chosen, other)
    reference = attribution.integrated_gradients(twin, seen, chosen, other)
    assert widened.steps == reference.steps and widened.complete
    assert torch.allclose(torch.tensor(widened.scores), torch.tensor(reference.scores), atol=1e-5, rtol=1e-4)
    after = fast.model.state_dict()
    assert all(after[name].dtype == t.dtype and torch.equal(after[name], t) for name, t in weights.items())
    assert generate(fast, ids[:8], SamplingSettings(temperature=0.0, max_new_tokens=6)).text == answer


def test_steps_are_added_where_the_path_is_rough_until_complete(tiny_model):
    ids = _ids(tiny_model, "User: Hello, how are you?\nAssistant: I am fine")
    seen, chosen = ids[:-1], ids[-1]
    other = ex.runner_up(final_logits(tiny_model, seen), chosen)
    coarse = attribution.integrated_gradients(tiny_model, seen, chosen, other, steps=1, max_steps=1)
    adaptive = attribution.integrated_gradients(tiny_model, seen, chosen, other, steps=1)
    assert coarse.steps == 1 and not coarse.complete  # one step is too coarse on this model and text
    assert adaptive.complete and adaptive.steps > 1 and adaptive.gap < coarse.gap


def test_tokens_that_cannot_influence_get_exactly_zero(tiny_model):
    ids = _ids(tiny_model)[:20]
    at = 12  # predicting ids[13] from position 12: positions 13.. come after it
    chosen = ids[at + 1]
    other = ex.runner_up(final_logits(tiny_model, ids[:at + 1]), chosen)
    result = attribution.integrated_gradients(tiny_model, ids, chosen, other, predict_at=at)
    assert all(s == 0.0 for s in result.scores[at + 1:])
    assert any(s != 0.0 for s in result.scores[:at + 1]) and result.complete
    mask = [1] * (at + 1)
    mask[5] = 0  # masked out: nothing attends to it
    masked = attribution.integrated_gradients(tiny_model, ids[:at + 1], chosen, other, attention_mask=mask)
    assert masked.scores[5] == 0.0 and masked.scores[4] != 0.0


def test_cancel_stops_the_attribution(tiny_model):
    ids = _ids(tiny_model)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExplainCancelled):
        attribution.integrated_gradients(tiny_model, ids[:-1], ids[-1], 0, cancel=cancel)


def test_the_lens_and_sampler_are_reported_before_the_attribution_then_its_progress(tiny_model):
    ids = _ids(tiny_model)
    context = TokenContext(ids=ids, prompt_len=4, settings=SamplingSettings())
    heard = []
    result = ex.explain(tiny_model, context, steps=8, max_steps=32, report=heard.append)
    first, progress = heard[0], heard[1:]
    assert isinstance(first, ex.Explanation) and first.attribution is None and first.lens is not None
    assert first.lens.probs == result.lens.probs and first.sampler == result.sampler
    assert progress and all(isinstance(p, attribution.ExplainProgress) for p in progress)
    assert all(p.total == 33 for p in progress)  # 32 intervals at most: 33 points
    done = [p.done for p in progress]
    assert done == sorted(done) and done[0] >= 1 and done[-1] == result.attribution.steps + 1 <= 33
    assert progress[-1].seconds_left is not None and progress[-1].seconds_left >= 0
    assert attribution.ExplainProgress(0, 33, 0.0).seconds_left is None
    assert attribution.ExplainProgress(3, 33, 1.5).seconds_left == pytest.approx(15.0)


@pytest.mark.parametrize("steps", [1, 3, 8, 12, 16])
def test_the_path_points_come_coarse_to_fine_and_are_the_even_ones(steps):
    rounds = attribution.coarse_to_fine(steps)
    assert rounds[0] == [0.0, 1.0]  # both ends first: the first figures need them
    assert sorted(a for r in rounds for a in r) == [k / steps for k in range(steps + 1)]
    if steps == 16:
        assert [len(r) for r in rounds] == [2, 1, 2, 4, 8]


def test_figures_so_far_arrive_after_the_first_batch_and_the_finish_is_the_even_sweeps(tiny_model, monkeypatch):
    """The estimate comes with the first report (two passes: both ends of the path), every
    later report refines it, and the finished attribution equals the one an even sweep of the
    same points gives (the order before: nothing to show until the end)."""
    ids = _ids(tiny_model)
    seen, chosen = ids[:-1], ids[-1]
    other = ex.runner_up(final_logits(tiny_model, seen), chosen)
    monkeypatch.setattr(attribution, "IG_TOKENS_PER_BATCH", 3 * len(seen))  # three points a pass
    heard = []
    result = attribution.integrated_gradients(tiny_model, seen, chosen, other, progress=heard.append)
    first = heard[0]
    assert first.done == 2 and first.estimate is not None and first.estimate.steps == 1
    assert first.estimate.difference == pytest.approx(result.difference)
    assert first.estimate.baseline_difference == pytest.approx(result.baseline_difference)
    estimates = [p.estimate for p in heard]
    assert all(e is not None for e in estimates) and [p.done for p in heard][:6] == [2, 5, 8, 11, 14, 17]
    assert [e.steps for e in estimates] == [p.done - 1 for p in heard] == sorted(p.done - 1 for p in heard)
    assert estimates[-1].scores == result.scores  # the last figures shown are the finished ones
    assert first.estimate.scores != result.scores  # rough ones first: the passes after refine them
    monkeypatch.setattr(attribution, "coarse_to_fine", lambda steps: [[k / steps for k in range(steps + 1)]])
    swept = attribution.integrated_gradients(tiny_model, seen, chosen, other)
    assert swept.steps == result.steps
    assert torch.allclose(torch.tensor(swept.scores), torch.tensor(result.scores), atol=1e-6, rtol=1e-5)


def test_explain_reports_the_figures_so_far_with_where_each_token_came_from(tiny_model):
    ids = _ids(tiny_model)
    context = TokenContext(ids=ids, prompt_len=4, settings=SamplingSettings())
    heard = []
    result = ex.explain(tiny_model, context, report=heard.append)
    shown = [p.estimate for p in heard[1:] if p.estimate is not None]
    assert shown and all(e.prompt_len == 4 and e.token_ids == result.attribution.token_ids for e in shown)
    assert shown[-1].scores == result.attribution.scores


@pytest.mark.parametrize("which", ["tiny_model", "tiny_llama"])
def test_cancel_stops_the_attribution_inside_a_pass(which, request):
    """Set while a pass runs (here from the first decoder block, forward or backward), the
    cancel stops it at the next block: the pass never reaches the last one."""
    loaded = request.getfixturevalue(which)
    ids = _ids(loaded)
    blocks = lens_parts(loaded.model)[0]
    cancel, seen = threading.Event(), []
    first = blocks[0].register_forward_hook(lambda *_a: cancel.set())
    last = blocks[-1].register_forward_hook(lambda *_a: seen.append("last block ran"))
    try:
        with pytest.raises(ExplainCancelled):
            attribution.integrated_gradients(loaded, ids[:-1], ids[-1], 0, cancel=cancel)
    finally:
        first.remove()
        last.remove()
    assert seen == []
    assert not any(b._forward_hooks for b in blocks)  # the stop checks are taken off again
    cancel.clear()  # the model still explains afterwards
    assert attribution.integrated_gradients(loaded, ids[:-1], ids[-1], 0, steps=4, max_steps=4).steps == 4


def test_cancel_during_the_backward_pass(tiny_model):
    ids = _ids(tiny_model)
    blocks = lens_parts(tiny_model.model)[0]
    cancel = threading.Event()

    def arm(_module, _args, output):  # set once the backward pass reaches the last block
        hidden = output[0] if isinstance(output, tuple) else output
        if hidden.requires_grad:
            hidden.register_hook(lambda grad: cancel.set())

    handle = blocks[-1].register_forward_hook(arm)
    try:
        with pytest.raises(ExplainCancelled):
            attribution.integrated_gradients(tiny_model, ids[:-1], ids[-1], 0, steps=1, max_steps=1, cancel=cancel)
    finally:
        handle.remove()


def test_refinement_stops_once_more_passes_change_nothing(tiny_model, monkeypatch):
    """Never complete (tolerances 0): without the stall rule it refines up to max_steps; with
    it, it stops once rounds stop moving the contributions, and what it shows is the same."""
    ids = _ids(tiny_model)
    monkeypatch.setattr(attribution, "IG_TOLERANCE", 0.0)
    monkeypatch.setattr(attribution, "IG_ABS_TOLERANCE", 0.0)
    stopped = attribution.integrated_gradients(tiny_model, ids[:-1], ids[-1], 0, steps=8, max_steps=96)
    monkeypatch.setattr(attribution, "IG_STALL_ROUNDS", 10**9)
    full = attribution.integrated_gradients(tiny_model, ids[:-1], ids[-1], 0, steps=8, max_steps=96)
    assert full.steps == 96 and stopped.steps < 96
    a, b = torch.tensor(stopped.scores), torch.tensor(full.scores)
    assert float((a - b).norm()) <= 0.01 * float(b.norm())
    assert stopped.top(5) == full.top(5)


# ------------------------------------------------------------------ sampler

def test_sampler_facts_on_hand_checkable_logits():
    raw = [0.5, 0.25, 0.12, 0.09, 0.04]
    logits = torch.tensor([math.log(p) for p in raw])
    settings = SamplingSettings(temperature=1.0, top_k=4, top_p=0.8)
    # top-k keeps 4 (mass .96): .5208 .2604 .125 .0938; top-p .8: mass before the 4th is .906 -> dropped
    third = sampler_facts(logits, 2, settings)
    assert third.kept and third.kept_size == 3 and third.mass95_size == 4
    assert abs(third.raw_prob - 0.12) < 1e-6 and abs(third.used_prob - 0.12 / 0.87) < 1e-6
    fourth = sampler_facts(logits, 3, settings)
    assert not fourth.kept and fourth.used_prob == 0.0 and abs(fourth.raw_prob - 0.09) < 1e-6
    greedy = sampler_facts(logits, 0, SamplingSettings(greedy=True))
    assert greedy.kept and greedy.kept_size == 1 and greedy.used_prob == 1.0
    assert not sampler_facts(logits, 1, SamplingSettings(temperature=0)).kept
    assert third.how == "temperature 1, top-k 4, top-p 0.8" and greedy.how == "greedy"


def test_the_sampler_words_name_a_repetition_penalty():
    logits = torch.tensor([2.0, 1.0, 0.5])
    settings = SamplingSettings(temperature=0.6, top_k=50, top_p=0.95, repetition_penalty=1.1)
    facts = sampler_facts(logits, 1, settings, answer_before=[0])
    assert facts.repetition_penalty == 1.1
    assert facts.how == "temperature 0.6, top-k 50, top-p 0.95, repetition penalty 1.1"


def test_sampler_facts_agree_with_sample_next():
    torch.manual_seed(0)
    logits = torch.randn(50) * 2
    settings = SamplingSettings(temperature=0.7, top_k=20, top_p=0.9)
    used = sampling_probs(logits, settings)
    generator = torch.Generator().manual_seed(1)
    drawn = torch.bincount(torch.tensor([sample_next(logits, settings, generator) for _ in range(3000)]),
                           minlength=50).float() / 3000
    for token in range(50):
        facts = sampler_facts(logits, token, settings)
        assert abs(facts.used_prob - float(used[token])) < 1e-7
        if not facts.kept:
            assert drawn[token] == 0  # the sampler never picks outside the kept set
        assert abs(float(drawn[token]) - facts.used_prob) < 0.04
    assert facts.kept_size == int((used > 0).sum())


# ------------------------------------------------------------------ stored messages

def _answer(store, loaded, settings_dict, records, text, parent_text="What is the capital of France?"):
    conversation = store.create_conversation("t")
    user = store.add_message(conversation, "user", parent_text)
    return store.add_message(conversation, "assistant", text, parent_id=user, model_id=loaded.model_id,
                             settings=settings_dict, records=records)


def test_stored_answer_is_explained_with_its_own_settings(tmp_path, tiny_model):
    from desktop_app.core.prompts import Turn, build_prompt

    store = Store.open(tmp_path / "db.sqlite")
    settings = SamplingSettings(max_new_tokens=12, temperature=0.7, top_k=5, top_p=0.9, seed=3)
    prompt = build_prompt(tiny_model.tokenizer, [Turn("user", "What is the capital of France?")],
                          context_window=tiny_model.context_window, max_new_tokens=12)
    run = generate(tiny_model, prompt.ids, settings)
    mid = _answer(store, tiny_model, settings.to_dict(), run.records, run.text)
    for index in (0, len(run.records) - 1):
        context = context_for_message(store, tiny_model, mid, index)
        assert context.ids == prompt.ids + [r.id for r in run.records[:index + 1]]
        assert context.settings.top_k == 5 and context.settings_known and not context.forced
        result = ex.explain(tiny_model, context)
        assert abs(result.lens.probs[-1][0] - run.records[index].prob) < 1e-5
        assert result.sampler.kept and result.sampler.kept_size <= 5  # it was sampled from that set
        assert result.sampler.top_k == 5 and result.attribution.prompt_len == len(prompt.ids)
    old = _answer(store, tiny_model, {}, None, "Paris is")  # an answer stored with no settings
    context = context_for_message(store, tiny_model, old, 1)
    assert not context.settings_known and context.settings.top_k == SamplingSettings().top_k
    branched = _answer(store, tiny_model, settings.to_dict() | {"branched_at": 1}, None, "Paris is big")
    assert [context_for_message(store, tiny_model, branched, i).forced for i in range(3)] == [True, True, False]
    with pytest.raises(ExplainError, match="there is no token 99"):
        context_for_message(store, tiny_model, mid, 99)
    with pytest.raises(ExplainError, match="only answer tokens"):
        context_for_message(store, tiny_model, store.get_message(mid)["parent_id"], 0)
    store.close()


def test_scores_land_on_the_transcripts_messages(tiny_model):
    pieces = ["User", ":", " Hel", "lo", ",", " you", "\n", "Assistant", ":", " Hi", " there", "\n", "User", ": no"]
    scores = [float(i) for i in range(len(pieces))]
    found = segments_in_texts(pieces, scores, ["Hello, you ", "  Hi there", "gone", "no"])
    assert found[0] == [(0, 3, 2.0), (3, 5, 3.0), (5, 6, 4.0), (6, 10, 5.0)]  # " Hel" clipped to "Hel"
    assert found[1] == [(2, 4, 9.0), (4, 10, 10.0)]  # offsets in the card's own text (two leading spaces)
    assert found[2] is None  # not in the context
    assert found[3] == [(0, 2, 13.0)]
    ids = _ids(tiny_model, "Emoji 😀🎉 and café")
    assert "".join(piece_texts(tiny_model.tokenizer, ids)) == tiny_model.tokenizer.decode(ids)


def test_the_words_for_figures_so_far_give_a_percentage_only_where_it_means_something():
    from desktop_app.gui import explain_words as words

    def made(scores, difference=1.0):
        return attribution.Attribution(token_ids=[1, 2], token_texts=["a", "b"], scores=scores, target_id=3,
                                       other_id=4, target_text="c", other_text="d", difference=difference,
                                       baseline_difference=0.0, steps=1)

    far = made([40.0, 20.0], difference=0.1)  # off by hundreds of times a small difference
    assert "far off" in words.estimate_words(far) and "%" not in words.estimate_words(far)
    assert "too rough to show: after 2 passes they are still far off" in words.estimate_words(far)  # not shown
    near = made([0.7, 0.1])  # 20% off: shown as rough
    assert words.estimate_settled(near) and "can still change" in words.estimate_words(near, 1, 2)
    assert "the 1 of the top 2 words whose place has settled" in words.estimate_words(near, 1, 2)
    done = made([0.6, 0.41])
    assert "add up within 1.0%" in words.completeness_words(done)
    assert words.stopped_words(far).startswith("Stopped after 2 passes") and "no word is listed" in words.stopped_words(far)
    assert "each layer predicted, below, is complete" in words.stopped_words(far)
    loose = made([0.9, 0.1], difference=0.8)  # 25% off: shown, and stopped there it is read loosely
    assert "loosely" in words.stopped_words(loose) and "loosely" not in words.stopped_words(done)
    start = attribution.Attribution(token_ids=[0, 2], token_texts=["<|endoftext|>", "Once"], scores=[0.1, 0.2],
                                    target_id=3, other_id=4, target_text="c", other_text="d", difference=1.0,
                                    baseline_difference=0.0, steps=1, prompt_len=2)
    assert words.where_words(start, 0, in_text=True) == "start of text, hidden"
    assert words.where_words(start, 1, in_text=True) == "text before"
    tiny = made([0.004, 0.0], difference=0.001)  # complete by the absolute tolerance, 300% off relatively
    assert tiny.complete and "%" not in words.completeness_words(tiny)
    assert "to within 0.003 nats" in words.completeness_words(tiny)
