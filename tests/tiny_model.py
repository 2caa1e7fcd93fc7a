"""Build a tiny but real GPT-2 model folder (byte-level BPE + a few layers), no network."""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "User: Hello, how are you?\nAssistant: I am fine, thank you. How can I help?\n",
    "User: What is the capital of France?\nAssistant: The capital of France is Paris.\n",
    "The quick brown fox jumps over the lazy dog. A stitch in time saves nine.\n",
    "Emoji make text lively 😀🎉🚀 and so do accents: café, naïve, Ærøskøbing.\n",
    "日本語のテキストも少し。中文也有一点。한국어도 조금.\n",
    "Numbers 0123456789, punctuation !?;:()[]{} and tabs\tand newlines\n\n",
]


def build_tiny_model(folder: Path, *, n_positions: int = 128, seed: int = 0) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(CORPUS * 20, trainer=trainer)
    fast = GPT2TokenizerFast(tokenizer_object=tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>",
                             unk_token="<|endoftext|>")
    fast.save_pretrained(folder)
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(fast), n_positions=n_positions, n_embd=64, n_layer=2, n_head=2,
                        bos_token_id=fast.eos_token_id, eos_token_id=fast.eos_token_id)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(folder, safe_serialization=True)
    return folder
