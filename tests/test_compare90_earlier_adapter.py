"""compare90: the compare view's "Compared with" an earlier adapter, in the core. A stored answer is
scored under the adapter in use and under an earlier adapter of the model's history, loaded from its
safetensors beside the one in use (and kept there for the next re-score: compare99); the change per token is the in-use adapter's
log-probability less the earlier one's, checked here against log-probabilities computed apart (a fresh
base model under each adapter read with PEFT directly). Real tiny GPT-2, real LoRA weights, no mocks."""

from __future__ import annotations

import pytest

from desktop_app.core import adapters
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.session import (_answer_to_score, earlier_adapters, score_with_and_without_adapter,
                                      store_rescored)
from tiny_model import random_lora


def save_lora(model_dir, folder, seed: int):
    """A LoRA over the model in ``model_dir`` with random B matrices (it changes the model), saved as
    safetensors in ``folder``."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        random_lora(model_dir, seed=seed).save_pretrained(folder, safe_serialization=True)
    return folder


def kept_run(store, model_id: str, folder, parent_id: int | None = None) -> int:
    """A run that ended kept with the adapter saved in ``folder``, as a fine-tune records it."""
    run = store.create_run({}, model_id, parent_adapter_id=parent_id)
    adapter = store.add_adapter(str(folder), base_model=model_id, parent_id=parent_id, run_id=run)
    store.update_run(run, status="kept", adapter_id=adapter)
    return adapter


def logprobs_under(model_dir, adapter_folder, prompt_ids: list[int], ids: list[int]) -> list[float]:
    """Each of ``ids``' log-probability after ``prompt_ids`` under the adapter in ``adapter_folder``, read
    apart from the app: a fresh float32 base model, PEFT's own loading, one forward pass."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, str(adapter_folder)).eval()
    with torch.no_grad():
        logits = model(torch.tensor([list(prompt_ids) + list(ids)])).logits[0].float()
    logp = torch.log_softmax(logits[len(prompt_ids) - 1:-1], dim=-1)
    return [float(logp[i, t]) for i, t in enumerate(ids)]


def wearing_the_second(tmp_path, tiny_model_dir, store):
    """The tiny model wearing adapter 2 (run 2, built on adapter 1 of run 1): (loaded, first, second)."""
    loaded = open_model(str(tiny_model_dir), AppPaths.resolve(tmp_path / "data").ensure(), device="cpu",
                        precision="exact")
    first = kept_run(store, loaded.model_id, save_lora(tiny_model_dir, tmp_path / "one", seed=1))
    second = kept_run(store, loaded.model_id, save_lora(tiny_model_dir, tmp_path / "two", seed=2), parent_id=first)
    store.set_active_adapter(second, loaded.model_id)
    adapters.attach(loaded, tmp_path / "two", second)
    return loaded, first, second


@pytest.fixture
def two_runs(tmp_path, tiny_model_dir, store):
    """The chat model wearing adapter 2 (run 2, built on adapter 1 of run 1), and a stored answer."""
    loaded, first, second = wearing_the_second(tmp_path, tiny_model_dir, store)
    conv = store.create_conversation("moon")
    user = store.add_message(conv, "user", "Tell me about the moon.")
    mid = store.add_message(conv, "assistant", " The moon is a rock in the sky.", parent_id=user,
                            model_id=loaded.model_id, settings={"finish_reason": "length", "max_new_tokens": 24})
    return loaded, store, first, second, mid


def test_the_change_against_an_earlier_adapter_is_the_later_ones_logprob_less_the_earlier_ones(
        two_runs, tiny_model_dir, tmp_path):
    loaded, store, first, second, mid = two_runs
    listed = earlier_adapters(store, store.get_adapter(second))
    assert [row["id"] for row in listed] == [first]
    heard = []
    before, after = score_with_and_without_adapter(store, loaded, mid, against=listed[0], progress=heard.append)
    prompt_ids, ids, _ended = _answer_to_score(store, loaded, mid)
    under_first = logprobs_under(tiny_model_dir, tmp_path / "one", prompt_ids, ids)
    under_second = logprobs_under(tiny_model_dir, tmp_path / "two", prompt_ids, ids)
    assert [r.id for r in before] == [r.id for r in after] == list(ids)
    assert [a.logprob - b.logprob for b, a in zip(before, after)] == pytest.approx(
        [s - f for f, s in zip(under_first, under_second)], abs=1e-4)
    assert max(abs(s - f) for f, s in zip(under_first, under_second)) > 0.01  # the two adapters differ
    assert [p.under for p in heard] == ["the adapter", "adapter 1", "adapter 1"]  # the progress names it


def test_the_adapter_in_use_is_worn_again_after_and_the_earlier_scoring_is_kept_under_its_id(two_runs):
    loaded, store, first, second, mid = two_runs
    _before, after = score_with_and_without_adapter(store, loaded, mid)
    against = store.get_adapter(first)
    before_first, after_again = score_with_and_without_adapter(store, loaded, mid, against=against)
    assert loaded.model.active_adapter == f"a{second}"  # adapter 1 stays loaded beside it (compare99), unused
    assert sorted(loaded.model.peft_config) == [f"a{second}", f"compared{first}"]
    assert [r.logprob for r in after_again] == pytest.approx([r.logprob for r in after], abs=1e-6)
    store_rescored(store, mid, second, before_first, after_again, model_id=loaded.model_id, against_id=first)
    kept = store.token_records(mid, adapter_id=first, kind="rescored", model_id=loaded.model_id)
    assert [r.logprob for r in kept] == pytest.approx([r.logprob for r in before_first], abs=1e-6)
    base = store.token_records(mid, adapter_id=None, kind="rescored", model_id=loaded.model_id)
    assert base == []  # an earlier adapter's scoring is never kept as the base model's


def test_an_error_inside_wears_the_one_in_use_again(two_runs):
    loaded, store, first, second, _mid = two_runs
    with pytest.raises(RuntimeError), loaded.lock:
        with adapters.wearing_instead(loaded, store.get_adapter(first)):
            assert loaded.model.active_adapter == f"compared{first}"
            raise RuntimeError("stopped mid-scoring")
    assert loaded.model.active_adapter == f"a{second}" and adapters.kept_earlier(loaded) == first


def test_an_adapter_whose_folder_lost_its_weights_is_not_offered(two_runs, tmp_path):
    _loaded, store, first, second, _mid = two_runs
    (tmp_path / "one" / adapters.WEIGHTS_FILE).unlink()
    assert earlier_adapters(store, store.get_adapter(second)) == []
    with pytest.raises(adapters.AdapterError):
        with adapters.wearing_instead(_loaded, store.get_adapter(first)):
            pass
