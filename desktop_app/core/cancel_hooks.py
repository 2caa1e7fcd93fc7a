"""A cancel that reaches inside a forward or backward pass of a model.

Work that loops over passes checks its cancel between them, but one pass over a long context,
or a phase made of passes its loop does not see, can take a minute on a busy CPU. A fine-tune's
long phases are such (the reference log-probabilities, the guard's checks, the measurements
before and after, the re-asks, the re-scoring): closing the window during one waited a minute,
and a process that quit before it ended aborted in torch's threads. ``stoppable`` checks as
every transformer block starts, and as the gradient reaches every block's output in a backward
pass, so a cancel ends the work within one block's time, whatever phase it is in.
"""

from __future__ import annotations

import contextlib
from typing import Callable


def blocks(model) -> list:
    """The repeated layers of a transformer: the children of each ``nn.ModuleList`` with more
    than one entry (GPT-2's ``h``, Llama's ``layers``); PEFT keeps its own layers in dicts."""
    import torch

    return [child for module in model.modules() if isinstance(module, torch.nn.ModuleList) and len(module) > 1
            for child in module]


@contextlib.contextmanager
def stoppable(layers, check: Callable[[], None]):
    """Inside, ``check()`` (which raises once the work is cancelled) runs before each of
    ``layers`` runs and as the gradient of its output arrives. The hooks go when the block ends."""
    import torch

    def stop_backward(grad):
        check()
        return grad

    def before(_module, _args):
        check()

    def after(_module, _args, output):
        hidden = output[0] if isinstance(output, tuple) else output
        if isinstance(hidden, torch.Tensor) and hidden.requires_grad:
            hidden.register_hook(stop_backward)

    handles = [layer.register_forward_pre_hook(before) for layer in layers]
    handles += [layer.register_forward_hook(after) for layer in layers]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
