"""Child process for tests/test_robust101_import_kill.py: an import that halts midway, inside its
write, until the test kills it with SIGKILL. A temporary SQLite trigger (this connection's only) calls
back into Python once the import has written ``HALT_AT`` messages (a ratings import) or as it records
the adapter (an adapter import, whose files are in the adapters folder by then); the call prints
"HALTED" and sleeps.

Usage: robust101_import_kill_child.py ratings DB_PATH FILE.jsonl
       robust101_import_kill_child.py adapter MODEL_DIR ADAPTER_DIR   (data folder: GPT2_DESK_DATA_DIR)
"""

import sys
import time

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store

HALT_AT = 6  # messages written by the ratings import before it halts: three of its examples


def halt() -> int:
    print("HALTED", flush=True)
    time.sleep(120)  # killed here, inside the import's transaction
    return 0


def halting(store: Store, table: str, when: str) -> None:
    conn = store._conn()  # the import runs on this thread: its connection
    conn.create_function("halt_here", 0, halt)
    conn.execute(f"CREATE TEMP TRIGGER halt_import AFTER INSERT ON {table} WHEN {when} BEGIN SELECT halt_here(); END")


def main(mode: str, first: str, second: str) -> None:
    if mode == "ratings":
        from desktop_app.core.exchange import import_jsonl

        store = Store.open(first)
        halting(store, "messages", f"(SELECT count(*) FROM messages) >= {HALT_AT}")
        import_jsonl(store, second)
    else:
        from desktop_app.core.adapter_import import import_adapter
        from desktop_app.core.session import open_model

        paths = AppPaths.resolve().ensure()
        store = Store.open(paths.db_path)
        loaded = open_model(first, paths, "cpu", store=store)
        halting(store, "adapters", "1")
        import_adapter(store, paths, loaded, second)
    print("FINISHED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
