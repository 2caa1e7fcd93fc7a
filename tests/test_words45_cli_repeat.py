"""`finetune` again right after a kept run, with nothing rated since, says there is nothing new since
that run instead of a bare "discarded" (words45: the same figures under "discarded" read like a failure)."""

from __future__ import annotations

import json

from test_fact_consent import rated  # noqa: F401 (a fixture)


def test_a_second_finetune_with_nothing_new_says_so(rated, tiny_model, tiny_model_dir, capsys):
    from desktop_app.cli import main
    from desktop_app.core.train_counts import nothing_new_since

    store, paths = rated
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    train = ["--max-steps", "12", "--lr", "0.003", "--heldout", "0"]
    assert nothing_new_since(store, tiny_model.model_id) is None  # no run yet
    assert main(["finetune", "--json", *train, *common]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["kept"] and first["nothing_new_since_run"] is None, first["reason"]
    assert nothing_new_since(store, tiny_model.model_id) == first["run_id"]
    assert main(["finetune", *train, *common]) == 0
    said = capsys.readouterr().out
    assert f"nothing new since run {first['run_id']}" in said and "the model in use stays as it is" in said, said
    assert ": discarded:" not in said and "rate or correct more answers" in said
