"""Counting the tensors transformers' ``from_pretrained`` loads, for a progress bar.

``from_pretrained`` is one call: a progress bar around it sat at 0 until it returned (the GGUF
export's "Loading the base model", usertest 7 F4). transformers walks the checkpoint's tensors
in one loop it wraps in its own tqdm ("Loading weights"); its public ``set_tqdm_hook`` lets a
caller make that bar, so the loop's count reaches ``report`` as it goes. The hook is process
wide: only the thread that asked is counted; any other thread's bars (a model loading on
another lane) are made as before.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Callable

WEIGHTS_DESC = "Loading weights"  # transformers' description of its loop over the checkpoint's tensors


class _Counted:
    """transformers' bar over the tensors, iterated as before; after each one ``report(done, total)``."""

    def __init__(self, bar, total: int, report: Callable[[int, int], None]):
        self.bar, self.total, self.report = bar, total, report

    def __iter__(self):
        for done, item in enumerate(self.bar, 1):
            yield item
            self.report(done, self.total)

    def __getattr__(self, name):  # close, update, ...: the bar's own
        return getattr(self.bar, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        close = getattr(self.bar, "close", None)
        if close is not None:
            close()
        return False


@contextlib.contextmanager
def weights_counted(report: Callable[[int, int], None]):
    """Within it, a ``from_pretrained`` on this thread calls ``report(done, total)`` after each
    tensor it loads (``total``: the checkpoint's tensors). A transformers without the hook
    (before 5.x's ``set_tqdm_hook``) loads as before, with no count."""
    from transformers.utils import logging as hf_logging

    set_hook = getattr(hf_logging, "set_tqdm_hook", None)
    if set_hook is None:
        yield
        return
    me = threading.get_ident()
    previous = None

    def hook(factory, args, kwargs):
        bar = previous(factory, args, kwargs) if previous is not None else factory(*args, **kwargs)
        items = args[0] if args else kwargs.get("iterable")
        if threading.get_ident() != me or kwargs.get("desc") != WEIGHTS_DESC or items is None:
            return bar
        total = len(items) if hasattr(items, "__len__") else int(kwargs.get("total") or 0)
        return _Counted(bar, total, report)

    previous = set_hook(hook)
    try:
        yield
    finally:
        set_hook(previous)


GGUF_DESC = "Converting and de-quantizing GGUF tensors"  # transformers' GGUF loader's loop over the tensors


@contextlib.contextmanager
def gguf_tensors_counted(report: Callable[[int, int], None]):
    """Within it, a GGUF ``from_pretrained`` on this thread calls ``report(done, total)`` after
    each tensor it de-quantizes: the minutes of a first conversion showed a bar frozen at a
    third (usertest 9). transformers' GGUF loader takes ``tqdm`` as its module's own name,
    not through ``set_tqdm_hook``: that name is wrapped for the body. Another thread's loop, or
    a loader without that loop, is left as it was (no count)."""
    try:
        from transformers import modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:  # pragma: no cover (a transformers without GGUF support)
        yield
        return
    original = getattr(gguf_utils, "tqdm", None)
    if original is None:
        yield
        return
    me = threading.get_ident()

    def counted(*args, **kwargs):
        items = args[0] if args else kwargs.get("iterable")
        if threading.get_ident() != me or not str(kwargs.get("desc", "")).startswith(GGUF_DESC) or items is None:
            return original(*args, **kwargs)
        # ``report`` shows the count in our words: transformers' own bar drew a second one beside it, and
        # filled a log with carriage-return redraws on a first run (usertest27)
        bar = original(*args, **dict(kwargs, disable=True))
        return _Counted(bar, len(items) if hasattr(items, "__len__") else 0, report)

    gguf_utils.tqdm = counted
    try:
        yield
    finally:
        gguf_utils.tqdm = original
