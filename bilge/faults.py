"""Named points where the fault-injection tests (and `bench/faults.py`) stop a running Bilge.

`BILGE_FAULT=point` kills the process with SIGKILL the first time it passes `point`;
`point@N` the N-th time; `point:int` sends SIGINT instead (what Ctrl-C does). Unset, a point
costs one dictionary lookup. Why in the code and not a timer: a kill "somewhere while
embedding" misses the narrow windows that matter (between the Chroma write and the manifest,
halfway through saving the BM25 index), and a named point makes each case reproducible.
"""

from __future__ import annotations

import os
import signal

_passed: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Stop here when `BILGE_FAULT` names this point (see the module docstring)."""
    wanted = os.environ.get("BILGE_FAULT")
    if not wanted:
        return
    wanted, _, action = wanted.partition(":")
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _passed[name] = _passed.get(name, 0) + 1
    if _passed[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGINT if action == "int" else signal.SIGKILL)
