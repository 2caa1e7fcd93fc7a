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


def byte_level_tokenizer(corpus: list[str], vocab_size: int):
    """A GPT-2-style byte-level BPE tokenizer trained on ``corpus`` (built from ``tokenizer_object``:
    transformers 5 builds an empty one from vocab and merges files)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import GPT2TokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(corpus, trainer=trainer)
    return GPT2TokenizerFast(tokenizer_object=tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>",
                             unk_token="<|endoftext|>")


def build_tiny_model(folder: Path, *, n_positions: int = 128, seed: int = 0) -> Path:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    folder.mkdir(parents=True, exist_ok=True)
    fast = byte_level_tokenizer(CORPUS * 20, 400)
    fast.save_pretrained(folder)
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(fast), n_positions=n_positions, n_embd=64, n_layer=2, n_head=2,
                        bos_token_id=fast.eos_token_id, eos_token_id=fast.eos_token_id)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


CHATML = ("{% for m in messages %}{% if loop.first and m['role'] != 'system' %}<|im_start|>system\n"
          "You are a tiny test model.<|im_end|>\n{% endif %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}"
          "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def build_tiny_llama(folder: Path, gpt2_folder: Path, *, seed: int = 0) -> Path:
    """A tiny Llama-style model (grouped-query attention, tied embeddings, a ChatML template)
    on the tiny GPT-2's byte-level BPE tokenizer; weights large enough that layout errors show."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(gpt2_folder)
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    tokenizer.chat_template = CHATML
    tokenizer.save_pretrained(folder)
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                         tie_word_embeddings=True, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, rope_theta=10000.0)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.2) if p.ndim > 1 else p.normal_(1, 0.1)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def fresh_lora(model_dir):
    """A PEFT LoRA (rank 4 on every linear layer, no dropout) over the model in ``model_dir``,
    as a fine-tune starts it: B is zero, so the adapter changes nothing yet."""
    import warnings

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0.0, task_type="CAUSAL_LM")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        return get_peft_model(base, config)


def random_lora(model_dir, seed: int = 1, std: float = 0.5):
    """``fresh_lora`` with its B matrices drawn at random, so the adapter visibly changes the
    model (a fresh LoRA does not)."""
    import torch

    torch.manual_seed(seed)  # PEFT draws the A matrices too: unseeded, they followed whatever test ran before
    model = fresh_lora(model_dir)
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, std)
    return model
