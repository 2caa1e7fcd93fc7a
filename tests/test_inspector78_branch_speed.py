"""inspector78, finding 4: a branch's header said 0.7 tok/s against its first answer's 2.0. The speed was the
tokens sampled over the whole stream's time, which began before the model was free and took in reading the
prompt (~130 tokens) and the branch's shared part. Now the time before the first new token is kept apart
(``reading_s``) and the speed counts only the time the new tokens took."""

from __future__ import annotations

import threading
import time

from desktop_app.core.generation import Generation, SamplingSettings

HELD_S = 0.3  # the model held elsewhere (an attribution finishing its layer) before this answer may read


def test_the_wait_and_the_prompts_reading_are_not_counted_as_writing(tiny_model):
    prompt = list(range(1, 100))  # a long prompt for the tiny model's 128-token window
    gen = Generation(tiny_model, prompt, SamplingSettings(max_new_tokens=5, seed=3, top_k=0),
                     prefix_ids=[5, 6, 7])  # a branch: its shared part is read with the prompt
    worker = threading.Thread(target=lambda: list(gen))
    began = time.perf_counter()
    with tiny_model.lock:  # the answer waits for the model, as it does behind other work on it
        worker.start()
        time.sleep(HELD_S)
    worker.join()
    wall = time.perf_counter() - began
    assert gen.generated == 5 and len(gen.records) == 8  # three forced, five sampled
    assert gen.reading_s >= HELD_S  # the wait and the prompt's reading are kept apart ...
    assert gen.elapsed_s + gen.reading_s <= wall  # ... from the time the new tokens took
    assert gen.elapsed_s > 0 and gen.tokens_per_s == gen.generated / gen.elapsed_s


def test_an_answer_cancelled_before_its_first_token_has_no_writing_time(tiny_model):
    cancel = threading.Event()
    cancel.set()
    gen = Generation(tiny_model, [1, 2, 3], SamplingSettings(max_new_tokens=5, seed=3), cancel=cancel)
    assert list(gen) == [] and gen.generated == 0 and gen.finish_reason == "cancelled"
    assert gen.elapsed_s == 0.0 and gen.tokens_per_s == 0.0  # Stop while the prompt was read: nothing written
