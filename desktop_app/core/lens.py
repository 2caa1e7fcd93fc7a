"""The logit lens: what each layer of the model predicted for the next token, read through the
final norm and the unembedding; and where a supported model keeps those parts."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import torch

from desktop_app.core.cancel_hooks import stoppable
from desktop_app.core.decoding import token_texts
from desktop_app.core.explain_errors import ExplainError, check_cancel
from desktop_app.core.models import LoadedModel

# model_type -> (decoder blocks, final norm) inside the causal-LM model; the unembedding is
# always the model's output embeddings (lm_head). These are the layouts this was tested on.
LENS_LAYOUTS = {
    "gpt2": ("transformer.h", "transformer.ln_f"),
    "llama": ("model.layers", "model.norm"),
}
LENS_COLUMNS = 5  # the chosen token and the 4 most likely others


def base_model(model):
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def stoppable_blocks(model, cancel: threading.Event | None):
    """Checks ``cancel`` as every decoder block starts, forwards and backwards, so a pass over
    a long context stops within a layer's time, not a whole batch's (the blocks of a model the
    lens knows; others stop between batches only)."""
    try:
        layers = lens_parts(model)[0] if cancel is not None else []
    except ExplainError:
        layers = []
    return stoppable(layers, lambda: check_cancel(cancel))


@dataclass(frozen=True)
class LogitLens:
    """Row r is layer r's residual stream (row 0: the embeddings) read through the final
    norm and the unembedding; column 0 is the chosen token."""

    layer_names: list[str]
    token_ids: list[int]
    token_texts: list[str]
    probs: list[list[float]]  # [row][column]
    ranks: list[list[int]]  # 1 = that layer's most likely token
    layer_top: list[tuple[int, str, float]]  # each layer's own most likely token
    first_top1: int | None  # first row where the chosen token is that layer's top-1

    def leads_from(self, token_id: int) -> int | None:
        """The first row from which ``token_id`` is every layer's most likely token down to the last
        (None: not the last layer's). ``first_top1`` alone does not say where a prediction settles: a token
        top-1 at one early layer and overtaken after it had read "the most likely token from layer 3 on"."""
        row = len(self.layer_top)
        while row > 0 and self.layer_top[row - 1][0] == token_id:
            row -= 1
        return row if row < len(self.layer_top) else None

    @property
    def last_top(self) -> tuple[int, str, float]:
        """The last layer's most likely token (id, text, probability): the model's own first choice."""
        return self.layer_top[-1]

    def to_json(self) -> dict:
        """The grid, and where the chosen token and the last layer's leader lead from (rows; None: not the last
        layer's), which a script had to work out from ``layer_top`` (inspector78)."""
        top_id, top_text, top_prob = self.last_top
        return {"layers": self.layer_names, "tokens": [{"id": i, "text": t} for i, t in
                                                       zip(self.token_ids, self.token_texts)],
                "probs": self.probs, "ranks": self.ranks, "first_top1": self.first_top1,
                "leads_from": self.leads_from(self.token_ids[0]),
                "last_top": {"id": top_id, "text": top_text, "prob": top_prob, "leads_from": self.leads_from(top_id)},
                "layer_top": [{"id": i, "text": t, "prob": p} for i, t, p in self.layer_top]}


def lens_parts(model):
    """(decoder blocks, final norm, unembedding) of a supported model, else a clear error."""
    base = base_model(model)
    kind = getattr(base.config, "model_type", "unknown")
    if kind not in LENS_LAYOUTS:
        known = ", ".join(LENS_LAYOUTS)
        raise ExplainError(f"The layer-by-layer view is not available for '{kind}' models: it needs to know where "
                           f"the model keeps its final norm and output layer, which it knows for {known}.")
    blocks_path, norm_path = LENS_LAYOUTS[kind]
    return base.get_submodule(blocks_path), base.get_submodule(norm_path), base.get_output_embeddings()


def _residual_streams(loaded: LoadedModel, blocks, seen: list[int], read_from: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each block's input to the first block and output of every block where the token after
    ``seen`` is predicted ([layers + 1, d]), and the model's own logits there, from the pass a
    scoring reads that token in (``scoring.TokenPass``: the heatmap's figures)."""
    from desktop_app.core.scoring import TokenPass

    read = TokenPass.of(loaded, seen, read_from)
    row = read.row
    captured: list[torch.Tensor] = []

    def before(_module, args, kwargs):
        hidden = args[0] if args else kwargs["hidden_states"]
        captured.append(hidden[0, row].detach())

    def after(_module, _args, output):
        hidden = output[0] if isinstance(output, tuple) else output
        captured.append(hidden[0, row].detach())

    handles = [blocks[0].register_forward_pre_hook(before, with_kwargs=True)]
    handles += [block.register_forward_hook(after) for block in blocks]
    try:
        logits = read.logits()
    finally:
        for handle in handles:
            handle.remove()
    return torch.stack(captured), logits


def logit_lens(loaded: LoadedModel, ids: list[int], chosen: int, *, columns: int = LENS_COLUMNS,
               cancel: threading.Event | None = None, read_from: int = 0) -> tuple[LogitLens, torch.Tensor]:
    """The lens for the token following ``ids``, and the model's own logits there (``read_from``:
    where ``ids[0]`` lies in the text a scoring read: ``scoring.TokenPass``)."""
    blocks, norm, head = lens_parts(loaded.model)
    with loaded.lock, torch.inference_mode(), stoppable_blocks(loaded.model, cancel):
        streams, logits = _residual_streams(loaded, blocks, ids, read_from)
        logprobs = torch.log_softmax(head(norm(streams)).float(), dim=-1)  # [layers + 1, V]
    others = [i for i in torch.topk(logits.float(), columns + 1).indices.tolist() if i != chosen][:columns - 1]
    cols = torch.tensor([chosen] + others, device=logprobs.device)
    picked = logprobs[:, cols]  # [rows, columns]
    ranks = (logprobs[:, None, :] > picked[:, :, None]).sum(-1) + 1
    top_lp, top_ids = logprobs.max(dim=-1)
    table = token_texts(loaded.tokenizer)
    chosen_ranks = ranks[:, 0].tolist()
    lens = LogitLens(
        layer_names=["embeddings"] + [f"layer {n}" for n in range(1, len(blocks) + 1)],
        token_ids=cols.tolist(), token_texts=[table.text(i) for i in cols.tolist()],
        probs=picked.exp().tolist(), ranks=ranks.tolist(),
        layer_top=[(i, table.text(i), p) for i, p in zip(top_ids.tolist(), top_lp.exp().tolist())],
        first_top1=next((row for row, rank in enumerate(chosen_ranks) if rank == 1), None))
    return lens, logits


def final_logits(loaded: LoadedModel, ids: list[int], read_from: int = 0) -> torch.Tensor:
    """The model's logits for the token following ``ids``, as a scoring reads it (``logit_lens``)."""
    from desktop_app.core.scoring import TokenPass

    with loaded.lock, torch.inference_mode():
        return TokenPass.of(loaded, ids, read_from).logits()
