"""``recover``: a damaged database's readable rows copied into a fresh one (core/store_recovery.py), from
the terminal as the window's damaged-database question offers it; no ``sqlite3`` tool needed (robust104).
With no FILE the app's own database (--db, --data-dir) is recovered in place: moved aside unchanged, a
fresh one made where it was. With FILE (a file kept aside earlier) and --out, a new database is written."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop_app.cli.common import CliError, refuse_existing


def register(subparsers, common) -> None:
    p = subparsers.add_parser("recover", parents=[common],
                              help="copy what can still be read of a damaged database into a fresh one (the "
                                   "damaged file is kept beside it, unchanged)")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="a damaged database kept aside earlier (e.g. gpt2desk.sqlite3.bad-…), with --out; "
                        "default: the app's own database, recovered in place")
    p.add_argument("--out", metavar="NEW.sqlite3", help="with FILE: the new database to write (it must not exist); "
                                                        "start the app on it with --db NEW.sqlite3")
    p.add_argument("--json", action="store_true",
                   help="print JSON: database, damaged, tables (name, kept, lost, unlinked, reattached, made_first, "
                        "unanswered: the ids of conversations that begin with an answer whose questions were lost; "
                        "lost null where it could not be counted)")
    p.set_defaults(func=cmd_recover)


def cmd_recover(args) -> int:
    from desktop_app.core import store_recovery

    if (args.file is None) != (args.out is None):
        raise CliError("FILE and --out go together: `gpt2-desk recover FILE --out NEW.sqlite3`, or "
                       "`gpt2-desk recover` alone for the app's own database.")
    if args.file is not None:
        refuse_existing(args.out)
        recovery = store_recovery.recover_into(Path(args.file).expanduser(), Path(args.out).expanduser())
    elif not _damaged(Path(args.db)):
        print(f"gpt2-desk: {args.db} opens and reads whole: nothing to recover, it was left as it is.",
              file=sys.stderr)
        return 0
    else:
        recovery = store_recovery.recover_moved_aside(args.db)
    if args.json:
        print(json.dumps({"database": str(recovery.database), "damaged": str(recovery.damaged),
                          "tables": [vars(t) for t in recovery.tables]}, indent=2))
    else:
        print(store_recovery.recovery_words(recovery))
    return 0


def _damaged(db: Path) -> bool:
    """Only a database SQLite calls damaged is recovered in place: a sound one is left as it is (any other
    refusal, a newer version's file or a read-only folder, is said as every command says it)."""
    from desktop_app.core.store import CorruptDatabaseError, Store

    if not db.exists():
        raise CliError(f"There is no database at {db}: nothing to recover.")
    try:
        Store.open(db, create=False).close()
    except CorruptDatabaseError:
        return True
    return False
