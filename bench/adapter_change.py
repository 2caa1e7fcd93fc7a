"""What the Text tab's "Fine-tune's change" costs: the two passes of ``core.adapter_change.score_change``
(the text under the adapter, then under the base model) against one analysis of the same text
(``session.analyse_text``, as Text mode runs it), on the bundled SmolLM2-135M with a real LoRA
adapter attached (r=8 on every linear layer, as a fine-tune makes it; its B drawn small so it
changes something), a text of about --tokens tokens of ordinary English (resources/probe.txt
repeated). Rounds are interleaved, medians compared, in this process's CPU seconds.

Prints:
    analysis_cpu_s: A          one analysis (records with alternatives for the heatmap)
    change_cpu_s: C            both passes of the change (the adapter's records as the analysis keeps them,
                               the base model's with none)
    change_vs_analysis_ratio: C / A
    edit_before_cpu_s: B       an edit with the change on, as it was: the analysis, then both passes
    edit_after_cpu_s: N        as it is: the analysis, then the base model's pass alone (the analysis is
                               the adapter's pass: both read in the same forward passes, core.score_passes)
    edit_after_vs_before_ratio: N / B
    cli_before_cpu_s: L        ``analyse --vs-base`` as it was: the adapter's pass with 10 alternatives a token,
                               then the base model's pass, each tokenising the text
    cli_after_cpu_s: M         as it is: no alternatives (the terminal prints none), the text tokenised once
    cli_after_vs_before_ratio: M / L

    taskset -c 0 env OMP_NUM_THREADS=1 GPT2_DESK_THREADS=1 python bench/adapter_change.py [--tokens 1000]
        [--rounds 3] [--precision auto|exact|fast|compact]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import _common
from _common import Clock, figure, load_average, median


def adapter_on(loaded, folder: Path) -> None:
    """A LoRA adapter written as the app writes one, attached as the window attaches it."""
    import torch
    from peft import LoraConfig, get_peft_model

    from desktop_app.core import adapters

    peft = get_peft_model(loaded.model, LoraConfig(r=8, lora_alpha=16, target_modules="all-linear",
                                                   lora_dropout=0.0))
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in peft.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.004)
    peft.save_pretrained(folder, safe_serialization=True)
    loaded.model = peft.unload()  # the plain model again; attach puts the saved adapter on it
    adapters.attach(loaded, folder, 1)


def text_of(tokenizer, tokens: int) -> str:
    probe = (_common.ROOT / "resources" / "probe.txt").read_text(encoding="utf-8")
    text = probe
    while len(tokenizer(text)["input_ids"]) < tokens:
        text += "\n\n" + probe
    ids = tokenizer(text)["input_ids"][:tokens]
    return tokenizer.decode(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--precision", default="auto")
    _common.add_cache_dir(parser)
    args = parser.parse_args()

    from desktop_app.core.adapter_change import score_change
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.session import analyse_text
    from desktop_app.gui.text_analysis import HEATMAP_MAX_TOKENS

    folder = _common.bundled_folder(args.cache_dir)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = open_model(str(folder), AppPaths.resolve(Path(tmp) / "data").ensure(), device="cpu",
                            precision=args.precision)
        adapter_on(loaded, Path(tmp) / "adapter")
        text = text_of(loaded.tokenizer, args.tokens)
        analyse_text(loaded, text, detailed=HEATMAP_MAX_TOKENS)  # warm up: first-call costs out of the rounds
        analysis, change, tokens = [], [], 0
        for _ in range(args.rounds):
            with Clock() as clock:
                scored, _summary = analyse_text(loaded, text, detailed=HEATMAP_MAX_TOKENS)
            analysis.append(clock.cpu)
            with Clock() as clock:
                result = score_change(loaded, text, detailed=HEATMAP_MAX_TOKENS)
            change.append(clock.cpu)
            tokens = result.tokens
            assert result.complete and len(scored.records) == result.tokens
        edits = edit_rounds(loaded, text, args.rounds)  # (once: each has its rounds)
        cli = cli_rounds(loaded, text, args.rounds)
    print(f"bundled SmolLM2-135M ({loaded.precision}), a LoRA adapter on, {tokens} tokens scored, "
          f"{args.rounds} rounds; {load_average()}")
    figure("analysis_cpu_s", median(analysis))
    figure("change_cpu_s", median(change))
    figure("change_vs_analysis_ratio", median(change) / median(analysis))
    figure("edit_before_cpu_s", median(edits["before"]))
    figure("edit_after_cpu_s", median(edits["after"]))
    figure("edit_after_vs_before_ratio", median(edits["after"]) / median(edits["before"]))
    figure("cli_before_cpu_s", median(cli["before"]))
    figure("cli_after_cpu_s", median(cli["after"]))
    figure("cli_after_vs_before_ratio", median(cli["after"]) / median(cli["before"]))


def cli_rounds(loaded, text: str, rounds: int) -> dict:
    """``analyse --vs-base``'s passes as they were (score_change's two passes for the terminal then: the
    adapter's with 10 alternatives, each tokenising the text) and as it calls them now, interleaved."""
    from desktop_app.core.adapter_change import deltas, score_change
    from desktop_app.core.session import score_whole_text

    seconds: dict = {"before": [], "after": []}
    for _ in range(rounds):
        with Clock() as clock:
            after = score_whole_text(loaded, text, 10)
            before = score_whole_text(loaded, text, 0, base=True)
        seconds["before"].append(clock.cpu)
        with Clock() as clock:
            change = score_change(loaded, text, alternatives=0)
        seconds["after"].append(clock.cpu)
        assert change.deltas == deltas(after.records, before.records)  # the same figures
    return seconds


def edit_rounds(loaded, text: str, rounds: int) -> dict:
    """Text mode with the change on, a sentence added per edit, as it was (the analysis, then the
    change's two passes) and as it is (the analysis serves as the adapter's pass), interleaved."""
    from desktop_app.core.adapter_change import score_change
    from desktop_app.core.session import analyse_text
    from desktop_app.gui.text_analysis import HEATMAP_MAX_TOKENS

    chains = {"before": [None, None], "after": [None, None]}  # each way's last analysis and change
    seconds: dict = {"before": [], "after": []}
    for i in range(rounds + 1):  # the first edit starts both chains: not counted
        text += f" One more sentence, number {i}, was added here."
        for way, chain in chains.items():
            with Clock() as clock:
                scored, _ = analyse_text(loaded, text, previous=chain[0], detailed=HEATMAP_MAX_TOKENS)
                change = score_change(loaded, text, previous=chain[1], detailed=HEATMAP_MAX_TOKENS,
                                      analysis=scored if way == "after" else None)
            assert change.complete and (way == "before" or i == 0 or change.adapter is scored)
            # as Text mode goes on: it was from its analysis; now from the change's adapter pass (the analysis itself
            # once it serves as that pass), so the next base pass reads the same passes
            chain[:] = [scored if way == "before" else change.adapter, change]
            if i:
                seconds[way].append(clock.cpu)
    return seconds


if __name__ == "__main__":
    main()
