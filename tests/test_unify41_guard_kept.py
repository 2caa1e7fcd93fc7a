"""A run that steps back and is then refused puts back the weights as trained, which are the
guard's kept ones (core.training._Run._measure_after takes them without copying the adapter
again): when the steps end, the model holds exactly the guard's kept weights, whether the last
check passed or a failed check put an earlier update's back."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import _Run, run_finetune
from test_training import FAST
from test_training_data import rate_three_answers


@pytest.mark.parametrize("lr, put_back", [(3e-3, False), (5e-2, True)])  # at 5e-2 the second check fails
def test_the_model_holds_the_guards_kept_weights_when_the_steps_end(tmp_path, tiny_model, monkeypatch, lr, put_back):
    seen = []
    measure_after = _Run._measure_after

    def checking(run, *args):
        now = run.guard.weights()
        seen.append((run.guard.kept_step, sorted(now) == sorted(run.guard.kept)
                     and all(torch.equal(now[n], run.guard.kept[n]) for n in now)))
        return measure_after(run, *args)

    monkeypatch.setattr(_Run, "_measure_after", checking)
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "lr": lr, "rescore": False}))
    store.close()
    assert [same for _step, same in seen] == [True]
    kept_step = seen[0][0]
    assert kept_step > 0 and (kept_step < result.metrics["steps"]) == put_back
