"""An Ollama ``Modelfile`` for an exported Llama-style GGUF.

Ollama's templates are Go templates, not the Jinja of transformers' chat templates, so a
template cannot be translated in general. The two the app meets are written out: ChatML
(SmolLM2, Qwen and many others: recognised by rendering the model's own template) and the
app's plain "User:/Assistant:" transcript for models without a chat template. For any other
template the Modelfile leaves TEMPLATE out and Ollama picks one from the chat template
that the GGUF file carries.
"""

from __future__ import annotations

from desktop_app.core.generation import SamplingSettings, recommended_sampling
from desktop_app.core.prompts import ASSISTANT_PREFIX, USER_PREFIX, has_chat_template

CHATML_TEMPLATE = """{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}{{- range .Messages }}{{- if ne .Role "system" }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}{{- end }}<|im_start|>assistant
"""

TRANSCRIPT_TEMPLATE = ("{{- if .System }}{{ .System }}\n\n{{ end }}{{- range .Messages }}"
                       "{{- if eq .Role \"user\" }}" + USER_PREFIX + "{{ .Content }}\n"
                       "{{ else if eq .Role \"assistant\" }}" + ASSISTANT_PREFIX + " {{ .Content }}\n"
                       "{{ end }}{{- end }}" + ASSISTANT_PREFIX)

MARKER = "QUESTION-MARKER"


def _chatml_default_system(tokenizer) -> str | None:
    """The system text a ChatML template adds when the conversation has none (SmolLM2 does)."""
    text = tokenizer.apply_chat_template([{"role": "user", "content": MARKER}], add_generation_prompt=True,
                                         tokenize=False)
    head = "<|im_start|>system\n"
    if text.startswith(head) and "<|im_end|>" in text:
        return text[len(head):text.index("<|im_end|>")]
    return None


def _quoted(text: str) -> str:
    return '"""' + text.replace('"""', '\\"\\"\\"') + '"""'


def from_value(gguf_name: str) -> str:
    """FROM's argument, the file beside the Modelfile. A name with a space or tab is quoted: Ollama's parser
    (parser/parser.go, ``unquote``) reads a double-quoted value as the text inside the quotes (triple quotes
    where the name holds a double quote), so the name reaches it whole rather than left to how its reader
    treats a bare value's spaces; a plain name stays bare, as ``ollama show --modelfile`` writes FROM."""
    path = f"./{gguf_name}"
    if not any(c in path for c in " \t"):
        return path
    return f'"""{path}"""' if '"' in path else f'"{path}"'


def sampling_parameters(sampling: SamplingSettings) -> list[str]:
    """The app's sampling as PARAMETER lines: without them ``ollama run`` samples at Ollama's
    own defaults (temperature 0.8, no min-p), and its answers differ from the app's."""
    temperature = 0 if sampling.is_greedy else sampling.temperature
    return [f"PARAMETER temperature {temperature:g}", f"PARAMETER top_k {sampling.top_k}",
            f"PARAMETER top_p {sampling.top_p:g}", f"PARAMETER min_p {sampling.min_p:g}",
            f"PARAMETER repeat_penalty {sampling.repetition_penalty:g}"]


def modelfile_for(gguf_name: str, tokenizer, sampling: SamplingSettings | None = None) -> str:
    """``sampling``: the settings ``ollama run`` should answer with (the app's defaults if None)."""
    lines = [f"# Ollama: ollama create NAME -f this-file (in this folder), then ollama run NAME",
             f"FROM {from_value(gguf_name)}", ""]
    lines += _template_lines(tokenizer)
    lines += ["", "# Sampling as in GPT-2 Desk"] + sampling_parameters(sampling or recommended_sampling())
    return "\n".join(lines) + "\n"


def _template_lines(tokenizer) -> list[str]:
    if not has_chat_template(tokenizer):
        return [f"TEMPLATE {_quoted(TRANSCRIPT_TEMPLATE)}", 'PARAMETER stop "\\nUser:"',
                'PARAMETER stop "\\nAssistant:"']
    lines = []
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": MARKER}], add_generation_prompt=True,
                                             tokenize=False)
    if f"<|im_start|>user\n{MARKER}<|im_end|>" in rendered:
        lines.append(f"TEMPLATE {_quoted(CHATML_TEMPLATE)}")
        system = _chatml_default_system(tokenizer)
        if system:
            lines.append(f"SYSTEM {_quoted(system)}")
        lines.append('PARAMETER stop "<|im_end|>"')
    else:
        lines.append("# This chat template is not ChatML: Ollama chooses a template from the one in the GGUF file.")
    return lines
