"""Child process for tests/test_store.py::test_sigkill_mid_write_keeps_committed_ratings.

Writes answers with token records and ratings to the store in a loop and prints
"MESSAGE_ID TOKEN_INDEX" after each rating is committed, until it is killed.
"""

import sys

from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.store import Store


def main(path: str) -> None:
    store = Store.open(path)
    conv = store.create_conversation("kill test")
    prompt = store.add_message(conv, "user", "go")
    records = [TokenRecord(i, f"w{i} ", -1.0 - i / 1000, 1 + i % 7, 2.5,
                           tuple(Alternative(j, f"a{j}", 0.1 / (j + 1)) for j in range(10)))
               for i in range(300)]
    print("READY", flush=True)
    i = 0
    while True:
        mid = store.add_message(conv, "assistant", "answer", parent_id=prompt, records=records)
        store.rate_message(mid, 1 if i % 2 else -1, note=f"n{i}")
        for t in range(3):
            store.rate_token(mid, t, -1)
        print(mid, flush=True)
        i += 1


if __name__ == "__main__":
    main(sys.argv[1])
