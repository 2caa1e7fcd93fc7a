"""compare99: a re-score against an earlier adapter kept that adapter loaded beside the one in use (one at
most), so the next re-score against it reads no file: each had loaded its safetensors anew. The figures are
the very ones a fresh load gives; the kept adapter goes when another earlier adapter is compared, when the
adapter in use changes, and when it is deleted. The safetensors reads are counted on PEFT's own reader,
which still reads the file (real tiny GPT-2, real LoRA weights, no mock of the model)."""

from __future__ import annotations

import pytest

from desktop_app.core import adapters
from desktop_app.core.session import score_with_and_without_adapter, sync_adapter
from test_compare90_earlier_adapter import kept_run, save_lora, two_runs  # noqa: F401 (the fixture)


@pytest.fixture
def reads(monkeypatch):
    """The safetensors files PEFT reads an adapter's weights from, in order."""
    from peft.utils import save_and_load

    read, seen = save_and_load.safe_load_file, []

    def counted(filename, *args, **kwargs):
        seen.append(str(filename))
        return read(filename, *args, **kwargs)

    monkeypatch.setattr(save_and_load, "safe_load_file", counted)
    return seen


def logprobs(records) -> list[float]:
    return [r.logprob for r in records]


def test_a_second_rescore_against_an_earlier_adapter_reads_no_file_and_gives_the_same_figures(two_runs, reads):
    loaded, store, first, second, mid = two_runs
    against = store.get_adapter(first)
    fresh_before, fresh_after = score_with_and_without_adapter(store, loaded, mid, against=against)
    assert len(reads) == 1
    again_before, again_after = score_with_and_without_adapter(store, loaded, mid, against=against)
    assert len(reads) == 1  # no file read the second time
    assert loaded.model.active_adapter == f"a{second}" and adapters.kept_earlier(loaded) == first
    assert logprobs(again_before) == logprobs(fresh_before) and logprobs(again_after) == logprobs(fresh_after)
    assert logprobs(again_before) != pytest.approx(logprobs(again_after), abs=1e-3)  # the two adapters differ


def test_one_earlier_adapter_at_most_is_kept(two_runs, reads, tmp_path, tiny_model_dir):
    loaded, store, first, second, mid = two_runs
    third = kept_run(store, loaded.model_id, save_lora(tiny_model_dir, tmp_path / "three", seed=3), parent_id=second)
    adapters.switch_to(loaded, store, third)
    reads.clear()  # adapter 3's own load
    score_with_and_without_adapter(store, loaded, mid, against=store.get_adapter(first))
    score_with_and_without_adapter(store, loaded, mid, against=store.get_adapter(second))
    assert adapters.kept_earlier(loaded) == second
    assert sorted(loaded.model.peft_config) == sorted([f"a{third}", f"compared{second}"])
    score_with_and_without_adapter(store, loaded, mid, against=store.get_adapter(first))
    assert len(reads) == 3  # adapter 1 read again: it had been let go for adapter 2


def test_the_kept_adapter_goes_when_the_adapter_in_use_changes(two_runs, tmp_path, tiny_model_dir):
    loaded, store, first, second, mid = two_runs
    score_with_and_without_adapter(store, loaded, mid, against=store.get_adapter(first))
    third = kept_run(store, loaded.model_id, save_lora(tiny_model_dir, tmp_path / "three", seed=3), parent_id=second)
    adapters.switch_to(loaded, store, third)
    assert adapters.kept_earlier(loaded) is None and list(loaded.model.peft_config) == [f"a{third}"]
    adapters.switch_to(loaded, store, second)
    score_with_and_without_adapter(store, loaded, mid, against=store.get_adapter(first))
    adapters.switch_to(loaded, store, None)  # the base model: no PEFT wrapper, nothing kept
    assert adapters.kept_earlier(loaded) is None and not hasattr(loaded.model, "peft_config")


def test_the_kept_adapter_goes_once_it_is_deleted(two_runs, reads, tmp_path):
    loaded, store, first, second, mid = two_runs
    score_with_and_without_adapter(store, loaded, mid, against=store.get_adapter(first))
    sync_adapter(loaded, store)  # nothing deleted: it stays
    assert adapters.kept_earlier(loaded) == first
    deleted = adapters.delete(store, first, trash_dir=tmp_path / "trash")
    sync_adapter(loaded, store)  # what the window does after a delete
    assert adapters.kept_earlier(loaded) is None and list(loaded.model.peft_config) == [f"a{second}"]
    row = adapters.undo_delete(store, deleted)
    score_with_and_without_adapter(store, loaded, mid, against=row)
    assert len(reads) == 2  # brought back: read from its files again
