"""A run the CLI keeps is the adapter in use, as in the window (core.train_verdict.decide activates
it; the window then switches it in): `finetune --json` says "activated": true for it, the store's
active adapter is it, `adapters list` marks it, and the text output says so. (Checked for session 44's
report that the CLI said otherwise: it did not; this keeps it so.)"""

from __future__ import annotations

import json

from test_fact_consent import rated  # noqa: F401 (a fixture)


def test_a_run_the_cli_keeps_is_the_one_in_use_and_says_so(rated, tiny_model, tiny_model_dir, capsys):
    from desktop_app.cli import main

    store, paths = rated
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    train = ["--max-steps", "12", "--lr", "0.003", "--heldout", "0"]
    assert main(["finetune", "--json", *train, *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kept"] and out["activated"] is True and not out["needs_consent"], out["reason"]
    assert store.active_adapter(tiny_model.model_id)["id"] == out["adapter_id"]
    assert main(["adapters", "list", "--json", *common]) == 0
    listed = {row["id"]: row["active"] for row in json.loads(capsys.readouterr().out)}
    assert listed[out["adapter_id"]] is True
