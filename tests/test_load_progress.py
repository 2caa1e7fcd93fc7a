"""transformers' ``from_pretrained`` counted tensor by tensor for a progress bar
(core.load_progress), on the thread that asked only, with the library's hook restored after."""

from __future__ import annotations

import threading

from transformers import AutoModelForCausalLM
from transformers.utils import logging as hf_logging

from desktop_app.core.load_progress import weights_counted


def test_a_load_reports_each_tensor_on_the_asking_thread_only(tiny_model_dir):
    here = []
    before = hf_logging.set_tqdm_hook(None)
    hf_logging.set_tqdm_hook(before)
    with weights_counted(lambda done, total: here.append((done, total))):
        other = threading.Thread(target=lambda: AutoModelForCausalLM.from_pretrained(tiny_model_dir))
        other.start()
        other.join()
        assert here == [], "another thread's load is not this one's progress"
        model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    total = here[-1][1]
    assert total >= 10 and here == [(i, total) for i in range(1, total + 1)]
    assert sum(1 for _ in model.parameters()) > 0
    assert hf_logging.set_tqdm_hook(before) is before, "the hook is the library's again"
    AutoModelForCausalLM.from_pretrained(tiny_model_dir)  # after it: nothing counted
    assert len(here) == total
