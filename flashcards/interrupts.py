"""Holding Ctrl-C while something must finish whole (an answer being written, a terminal in a changed mode).

``ctrl_c_held()`` blocks SIGINT for the duration of a ``with`` block; a Ctrl-C pressed meanwhile waits and
is raised as ``KeyboardInterrupt`` when the block ends. The one subtlety is that blocking a signal from
Python is not atomic: ``signal.pthread_sigmask`` first changes the mask and then runs any Python handler
already pending. A Ctrl-C that arrives a few bytecodes before the call therefore raises KeyboardInterrupt
*after* SIGINT was blocked - and a process left with SIGINT blocked never sees another Ctrl-C. So the mask
is read before it is changed and put back whatever happens.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) inside the block; one pressed meanwhile raises KeyboardInterrupt at its end.

    Nests. Does nothing where there are no signal masks (Windows) or outside the main thread (which is
    where Python runs signal handlers).
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])  # runs a pending handler (it may raise); no change
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # may raise too, with SIGINT now blocked
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)  # a held Ctrl-C is delivered (raised) here
