"""pytest-xdist 3.8.0 (the newest the registry holds) can hang for good under `--dist loadfile`
after a worker crashes: `LoadScopeScheduling.remove_node` puts the dead worker's whole
workload back on the queue, files it had finished included; a replacement handed a finished
file gets an empty batch and never asks for more, so the run waits until CI's limit and the
report (which test crashed) is never printed. Upstream: pytest-xdist issues #784, #1323,
#1378 and pull requests #1324, #1363, #1371 (not released). This puts back only the files
with tests left to run, and not the test the worker died on (it is already reported failed,
and would take the replacement down too). Loaded by conftest.py in the controlling process."""

from __future__ import annotations


def _first_unfinished(workload: dict[str, dict[str, bool]]) -> tuple[str, str] | None:
    for scope, unit in workload.items():
        for nodeid, completed in unit.items():
            if not completed:
                return scope, nodeid
    return None


def _remove_node(self, node):
    workload = self.assigned_work.pop(node)
    crashed = _first_unfinished(workload)
    if crashed is None:
        return None
    scope, crashitem = crashed
    workload[scope][crashitem] = True
    unfinished = {s: unit for s, unit in workload.items() if not all(unit.values())}
    self.workqueue.update(unfinished)
    for other in self.assigned_work:
        self._reschedule(other)
    return crashitem


def _schedule(self):
    """A replacement worker, like the first ones, starts with two batches: a worker runs a
    test only once it knows the next one, so a lone one-test batch would wait for ever."""
    late = self.collection is not None
    _SCHEDULE(self)
    if late:
        for node in self.nodes:
            self._reschedule(node)


_SCHEDULE = None


def install() -> None:
    global _SCHEDULE
    try:
        from xdist.scheduler.loadscope import LoadScopeScheduling
    except ImportError:  # run without pytest-xdist: nothing to mend
        return
    if _SCHEDULE is None:
        _SCHEDULE = LoadScopeScheduling.schedule
        LoadScopeScheduling.remove_node = _remove_node
        LoadScopeScheduling.schedule = _schedule
