"""The fine-tune's counts of answers say what they count beside the panel's "9 examples": the whole first,
of what ("scoring the 18 answers your examples compare: 0 of 18"), in the reference's pass while getting
ready and in the margins' while checking alike (usertest 24: "0 of 18 answer texts" then "8 of 17" next to
"9 examples"). Real passes of the tiny model, the words as the panel and the status bar put them."""

from __future__ import annotations

import re
from types import SimpleNamespace

import torch

from desktop_app.core import work_meter
from desktop_app.core.train_measure import distinct_sequence_logps, prompt_shared_logps
from desktop_app.core.progress_words import counted_line, status_forms

SEQS = [([5, 6, 7], [8, 9]), ([5, 6, 7], [10]), ([11, 12], [13, 14, 15])]
SAYS_ITS_WHOLE = re.compile(r"scoring the (\d+) answers your examples compare: (\d+) of (\d+)$")


def heard_lines(model, pad) -> list[str]:
    heard = []
    with torch.no_grad(), work_meter.listening(lambda *a: heard.append(work_meter.words(*a))):
        distinct_sequence_logps(model, SEQS, pad, "cpu", batch_size=1)  # the reference's pass
        prompt_shared_logps(model, SEQS, pad, "cpu", batch_size=1)  # the margins' pass
    return heard


def test_each_count_names_its_whole_and_what_it_is_of(tiny_model):
    heard = heard_lines(tiny_model.model, tiny_model.tokenizer.eos_token_id)
    assert heard and all(SAYS_ITS_WHOLE.search(line) for line in heard), heard
    assert all(m.group(1) == m.group(3) == "3" for m in map(SAYS_ITS_WHOLE.search, heard)), heard
    assert "answer texts" not in " ".join(heard)


def test_the_panel_and_the_status_bar_say_it_with_the_phase(tiny_model):
    line = heard_lines(tiny_model.model, tiny_model.tokenizer.eos_token_id)[1]
    report = SimpleNamespace(phase="evaluating", message=f"measuring the new adapter: {line}", step=1, total=3,
                             eta_s=30.0, part=None, training_follows=False, stepping_back=None,
                             checking_earlier=False)
    assert counted_line(report) == ("Checking whether it helps: measuring the new adapter: "
                                    "scoring the 3 answers your examples compare: 1 of 3")
    assert status_forms(report)[-1] == "fine-tune: checking 1/3 answers"  # named (counts59)
