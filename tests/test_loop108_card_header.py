"""loop108 (usertest57): the exported model card's header read "Created: 2026-12-07T15:52:28.760242+00:00; … parent
adapter -", and neither the card nor `gpt2-desk adapters list` said that the person had put the adapter in use
against the check's advice ("Use it anyway", recorded in its run's metrics as ``consent``)."""

from __future__ import annotations

import re

from test_fact_consent import rated, sure_of_all  # noqa: F401 (fixtures: three rated answers; every fact "sure")
from test_keep36_use_anyway import made_runs, pending  # noqa: F401 (fixtures: two real runs, the second's adapter offered)

from desktop_app.core import adapters, export_card, model_export
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
    assert "(used over the check)" in capsys.readouterr().out


def test_a_parent_is_named_and_a_stamp_says_its_zone():
    assert export_card._parent_words({"parent_id": 2, "parent_name": "short answers"}) == "adapter 2 (short answers)"
    assert export_card._parent_words({"parent_id": None}) == "none"
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2} 2026 \d\d:\d\d local time \(UTC[+-]\d\d:\d\d\)",
                        dated_stamp("2026-12-07T15:52:28.760242+00:00"))


def test_a_kept_run_held_back_for_changed_facts_and_used_anyway_says_so(rated, tiny_model, sure_of_all, tmp_path,
                                                                        capsys):
    from desktop_app.cli import main
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune
    from test_fact_consent import _knew_canberra
    from test_training import FAST

    store, paths = rated
    settings = FineTuneSettings(**FAST, rescore=False)
    _knew_canberra(paths, tiny_model, settings.reask_tokens)
    result = run_finetune(store, tiny_model, paths, settings)
    assert result.kept and result.needs_consent, result.reason
    row = store.get_adapter(result.adapter_id)
    assert adapters.used_against_check(store, row) == ""  # not in use yet: nothing against the check
    settle_consent(store, result.run_id, use=True, model_id=tiny_model.model_id)
    words = adapters.used_against_check(store, row)
    assert "held it back for answers it changed to questions you never rated" in words
    capsys.readouterr()
    assert main(["adapters", "list", "--all", "--data-dir", str(paths.data_dir)]) == 0
    assert f"({words})" in capsys.readouterr().out
    out = tmp_path / "peft"
    model_export.export_adapter(store, result.adapter_id, "peft", out, paths)
    assert f"- {words[:1].upper()}{words[1:]}" in (out / "README.md").read_text(encoding="utf-8")
