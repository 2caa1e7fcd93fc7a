"""loop108 (usertest57): the exported model card's header read "Created: 2026-12-07T15:52:28.760242+00:00; … parent
adapter -", and neither the card nor `gpt2-desk adapters list` said that the person had put the adapter in use
against the check's advice ("Use it anyway", recorded in its run's metrics as ``consent``)."""

from __future__ import annotations

import re

from test_keep36_use_anyway import made_runs, pending  # noqa: F401 (fixtures: two real runs, the second's adapter offered)

from desktop_app.core import adapters, model_export
from desktop_app.core.local_time import dated_stamp
from desktop_app.core.train_verdict import settle_consent

RAW_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_the_card_says_the_date_as_people_read_it_and_no_parent_in_words(pending, tiny_model, tmp_path):
    store, paths, _first, result, _seen = pending
    settle_consent(store, result.run_id, use=True, model_id=tiny_model.model_id)
    out = tmp_path / "adapter-peft"
    model_export.export_adapter(store, result.adapter_id, "peft", out, paths)
    card = (out / "README.md").read_text(encoding="utf-8")
    created = next(line for line in card.splitlines() if line.startswith("- Created:"))
    assert not RAW_STAMP.search(created), created
    assert dated_stamp(store.get_adapter(result.adapter_id)["created"]) in created and "local time" in created
    assert "parent adapter: none" in created and " -" not in created
    assert "- Put in use against the check's advice (Use it anyway): the check discarded its run" in card


def test_adapters_list_says_it_was_used_against_the_check(pending, tiny_model, tmp_path, capsys):
    from desktop_app.cli import main

    store, paths, _first, result, _seen = pending
    settle_consent(store, result.run_id, use=True, model_id=tiny_model.model_id)
    rows = adapters.list_adapters(store, tiny_model.model_id)
    assert rows[0]["used_against_check"].startswith("put in use against the check's advice")
    capsys.readouterr()
    assert main(["adapters", "list", "--all", "--data-dir", str(paths.data_dir)]) == 0
    assert "(put in use against the check's advice (Use it anyway): the check discarded its run)" in \
        capsys.readouterr().out


def test_a_parent_is_named_and_a_stamp_says_its_zone():
    assert model_export._parent_words({"parent_id": 2, "parent_name": "short answers"}) == "adapter 2 (short answers)"
    assert model_export._parent_words({"parent_id": None}) == "none"
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2} 2026 \d\d:\d\d local time \(UTC[+-]\d\d:\d\d\)",
                        dated_stamp("2026-12-07T15:52:28.760242+00:00"))
