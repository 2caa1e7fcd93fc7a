"""adapters: list, activate, deactivate, roll back and delete adapter versions (export and import: export_cmds)."""

from __future__ import annotations

import argparse
import json
import sys

from desktop_app.cli.common import CliError, open_store, record_id
from desktop_app.cli.export_cmds import cmd_adapter_export, cmd_adapter_import, register_adapter_actions
from desktop_app.core.adapters import adapter_name, label
from desktop_app.core.count_words import counted
from desktop_app.core.fact_changes import changed_unrated_count
from desktop_app.core.taught_words import changed_unrated_words


def register(subparsers, common: argparse.ArgumentParser) -> None:
    _register_adapters(subparsers, common)


def _register_adapters(subparsers, common: argparse.ArgumentParser) -> None:
    """``gpt2-desk adapters`` and its actions."""
    ad = subparsers.add_parser("adapters", parents=[common],
                               help="list, activate, deactivate, roll back, delete, export (GGUF, merged, PEFT) "
                                    "or import adapters")
    sub = ad.add_subparsers(dest="adapters_command", metavar="ACTION")
    ls = sub.add_parser("list", parents=[common], help="adapters of --model (all models with --all)")
    ls.add_argument("--all", action="store_true", help="the adapters of every model, not only --model's")
    ls.add_argument("--json", action="store_true", help="print JSON")
    act = sub.add_parser("activate", parents=[common], help="use this adapter from now on")
    act.add_argument("id", type=record_id, metavar="ID", help="the adapter's id (see `adapters list`)")
    sub.add_parser("deactivate", parents=[common], help="use the base model of --model")
    rb = sub.add_parser("rollback", parents=[common], help="back to the adapter the active one was trained from "
                        "(or ID); one without a parent has nothing to roll back to (deactivate uses the base model)")
    rb.add_argument("id", type=record_id, nargs="?", metavar="ID", help="roll back to this adapter instead")
    rm = sub.add_parser("delete", parents=[common], help="delete an adapter (not the active one)")
    rm.add_argument("id", type=record_id, metavar="ID", help="the adapter's id (see `adapters list`)")
    register_adapter_actions(sub, common)
    ad.set_defaults(func=cmd_adapters, adapters_command=None)


def _has_figures(m: dict) -> bool:
    return all(isinstance(m.get(k), (int, float)) for k in
               ("margin_before", "margin_after", "probe_ppl_before", "probe_ppl_after"))


ADAPTERS_KEY = ("* = the active adapter (generate, score, chat and the window use it).\n"
                "MARGIN: how much likelier your liked answers are than the disliked ones (higher is better);\n"
                "PERPLEXITY: on a fixed general text (lower is better); both before -> after the run.")


def adapters_table(rows: list[dict], with_model: bool = False) -> list[str]:
    """The adapters in columns under a header (ADAPTERS_KEY reads the mark and the figures); a NAME
    column when one has a name (the window's adapter history names them), MODEL with --all."""
    named = any(r.get("name") for r in rows)
    table = [["", "ID", "RUN", "PARENT", "CREATED", "MARGIN", "PERPLEXITY"] + ["NAME"] * named + ["MODEL"] * with_model]
    for r in rows:
        m = r.get("metrics") or {}
        figures = ([f"{m['margin_before']:.3f} -> {m['margin_after']:.3f}",
                    f"{m['probe_ppl_before']:.2f} -> {m['probe_ppl_after']:.2f}"] if _has_figures(m) else ["-", "-"])
        run = str(r["run_id"]) if r["run_id"] else "imported" if (r.get("settings") or {}).get("imported_from") else "-"
        row = ["*" if r["active"] else "", str(r["id"]), run, str(r["parent_id"] or "-"),
               r["created"][:19].replace("T", " "), *figures] + [r.get("name") or ""] * named + [r["base_model"]] * with_model
        row[-1] += _row_notes(r)
        table.append(row)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    right = {1, 3}  # the ids (RUN may say "imported")
    return ["  ".join(f"{cell:>{w}}" if i in right else f"{cell:<{w}}" for i, (cell, w) in
                      enumerate(zip(row, widths))).rstrip() for row in table]


def _row_notes(r: dict) -> str:
    """What the last column of an adapter's row adds: a missing folder, a discarded run's adapter, and the
    answers to never-rated questions its run changed (the window's history row says it; the list said nothing
    of why its run held it back, cli52)."""
    notes = "" if r["present"] else "  (folder missing)"
    if r.get("waiting"):  # a discarded run's, offered to use anyway (finetune said so)
        notes += f"  (discarded by the check, not used: `adapters activate {r['id']}` uses it anyway)"
    elif (r.get("metrics") or {}).get("use_anyway"):
        notes += "  (used over the check)"
    elif r.get("used_against_check"):  # "Use it anyway" on a kept run held back for changed facts (loop108)
        notes += f"  ({r['used_against_check']})"
    changed = changed_unrated_count(r.get("metrics") or {})
    if changed:
        notes += f"  (changed {counted(changed, 'answer')} to questions you never rated)"
    return notes


def _model_meant(args) -> str:
    """--model's id; without --model the default one, named on stderr: offline without GPT-2 it is
    the bundled model (usertest 16 read "default: gpt2" and got the bundled model's adapters)."""
    from desktop_app.core.model_sources import resolve_spec

    source = resolve_spec(args.model)
    if args.model is None:
        print(f"note: no --model given: {source.display_name} (the default model; --model picks another"
              f"{', --all lists every model' if args.adapters_command in (None, 'list') else ''})",
              file=sys.stderr)
    return source.model_id


def cmd_adapters(args) -> int:
    from desktop_app.core import adapters, session

    action = args.adapters_command or "list"
    if action in ("export", "import"):
        return cmd_adapter_export(args) if action == "export" else cmd_adapter_import(args)
    with open_store(args) as store:
        if action == "list":
            base = None if getattr(args, "all", False) else _model_meant(args)
            rows = adapters.list_adapters(store, base, waiting=True)
            if getattr(args, "json", False):
                print(json.dumps(rows, indent=2, default=str))
                return 0
            if not rows:
                print("no adapters" + ("" if base is None else f" for {base}"))
            else:
                print("\n".join(adapters_table(rows, with_model=base is None)))
                print(ADAPTERS_KEY, file=sys.stderr)  # a pipe gets the table alone
            return 0
        if action == "activate":
            row = session.change_adapter(store, "activate", adapter_id=args.id)
            print(f"{label(row, start=True)} is active for {row['base_model']}")
            _warn_changed_facts(row)
        elif action == "deactivate":
            base = _model_meant(args)
            session.change_adapter(store, "deactivate", base)
            print(f"{base}: using the base model (no adapter)")
        elif action == "rollback":
            base = _model_meant(args)
            row = session.change_adapter(store, "rollback", base, args.id)
            print(f"{label(row, start=True)} is active for {row['base_model']}")  # activate's words
            _warn_changed_facts(row)
        elif action == "delete":
            _refuse_deleting_the_active(store.get_adapter(args.id))
            session.change_adapter(store, "delete", adapter_id=args.id)
            print(f"{adapter_name(args.id, start=True)} deleted")
    return 0


def _refuse_deleting_the_active(row: dict) -> None:
    """The store refuses it too, saying "switch to another adapter or the base model" without the commands that do
    it (cliwords71): named here, with the --model they need."""
    import shlex

    from desktop_app.core.model_export import spec_for_model_id

    if row["active"]:
        model = shlex.quote(spec_for_model_id(row["base_model"]))
        raise CliError(f"{label(row, start=True)} is the active one for {row['base_model']}: switch to the base "
                       f"model first (gpt2-desk adapters deactivate --model {model}) or to another adapter "
                       "(gpt2-desk adapters activate ID), then delete it.")


def _warn_changed_facts(row: dict) -> None:
    """The window's adapter history says of an adapter whose run changed answers to never-rated questions
    (the run held it back for the person's word) "changed 2 answers to questions you never rated";
    `adapters activate` put it in use without a word (cli52)."""
    metrics = row.get("metrics") or {}
    changed = changed_unrated_count(metrics)
    if changed:  # an imported one has no run: the check at its import found them
        why = "the check found that when you imported it" if metrics.get("imported") else "its run held it back for that"
        print(f"  note: {changed_unrated_words(changed)} ({why})")
