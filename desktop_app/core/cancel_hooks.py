"""A cancel that reaches inside a forward or backward pass of a model.

A fine-tune checks its cancel between steps, but its long phases are made of passes the
loop does not see: the reference log-probabilities, the guard's checks, the measurements
before and after, the re-asks and the re-scoring. On a busy machine one of them took over a
minute, so closing the window waited that long (and a process that quit before it ended
aborted in torch's threads). With ``cancellable`` every transformer block checks the event
before it runs, and every trainable weight as its gradient arrives, so a cancel ends the
run within one block's work, whatever phase it is in.
"""

from __future__ import annotations

import contextlib


def blocks(model) -> list:
    """The repeated layers of a transformer: the children of each ``nn.ModuleList`` with more
    than one entry (GPT-2's ``h``, Llama's ``layers``); PEFT keeps its own layers in dicts."""
    import torch

    return [child for module in model.modules() if isinstance(module, torch.nn.ModuleList) and len(module) > 1
            for child in module]


@contextlib.contextmanager
def cancellable(model, check_cancel):
    """Inside, the next block's forward and the next trainable weight's gradient first call
    ``check_cancel()``, which raises once the run is cancelled. The hooks go when the block ends."""
    def check(*_args):
        check_cancel()

    handles = [block.register_forward_pre_hook(check) for block in blocks(model)]
    # a weight's hook returns None: its gradient is kept as it is
    handles += [p.register_hook(check) for p in model.parameters() if p.requires_grad]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
