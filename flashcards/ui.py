"""Terminal output: rich on a terminal, plain text when piped or redirected.

The quiz talks to the screen through four calls - ``message``, ``panel``, ``table``, ``ask`` - so the same
session code drives both renderers. ``make_ui`` picks rich only when stdout is a terminal (and ``--plain``
was not given): piped output stays free of escape codes and box drawing, which keeps it greppable and
testable. rich is imported only in that case.
"""

from __future__ import annotations

import functools
import os
import select
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from .interrupts import ctrl_c_held


def read_line() -> str:
    """One line from stdin; raises EOFError at end of input and KeyboardInterrupt on Ctrl-C, always.

    ``input()`` loses a Ctrl-C that arrives in the instant between Python's last check for signals and the
    blocking ``read()``: the signal's flag is set, but nothing runs Python's handler until Enter is pressed.
    On a terminal we therefore wait with ``select()`` on stdin *and* a wake-up pipe that the signal
    handler writes to (``signal.set_wakeup_fd``), and run any pending handler (``pthread_sigmask``) before
    each wait: a Ctrl-C at any moment either raises KeyboardInterrupt there or makes the wait return.
    Only once a whole line is ready is it read (``os.read``: a terminal hands over one line per read), and
    without blocking: a Ctrl-C that lands between ``select()`` and the read makes the terminal discard the
    typed line, and a blocking read would then wait for the next Enter with the interrupt pending.
    """
    if (
        not sys.stdin.isatty()
        or not hasattr(signal, "pthread_sigmask")  # Windows: no select() on a console, no signal masks
        or threading.current_thread() is not threading.main_thread()  # wake-up fds are the main thread's
    ):
        return input()
    fd = sys.stdin.fileno()
    wake_read, wake_write = _wake_pipe()
    previous = signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    try:
        while True:
            _drain(wake_read)  # bytes of signals already handled; a later one writes again and wakes select()
            # Run any handler already pending (Ctrl-C raises here). A Ctrl-C that came before the wake-up fd
            # was set wrote nothing to it, and calling select() runs no handler: without this check the
            # wait would block with the interrupt pending. One that comes later wakes select().
            signal.pthread_sigmask(signal.SIG_BLOCK, [])
            ready, _, _ = select.select([fd, wake_read], [], [])
            if fd in ready and (data := _read_ready(fd)) is not None:
                break
    finally:
        signal.set_wakeup_fd(previous)
    if not data:
        raise EOFError
    return data.decode(sys.stdin.encoding or "utf-8", errors="replace").rstrip("\r\n")


@functools.cache
def _wake_pipe() -> tuple[int, int]:
    """The wake-up pipe (read end, write end), made once per process so that no descriptor can leak; both
    ends non-blocking (the signal handler must never block) and not inherited by child processes."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    return read_end, write_end


def _drain(pipe: int) -> None:
    """Empty the non-blocking ``pipe``."""
    try:
        while os.read(pipe, 512):
            pass
    except BlockingIOError:
        pass


def _read_ready(fd: int) -> bytes | None:
    """The line ``select()`` saw, read without blocking; None if it is gone (a Ctrl-C flushed it).

    Ctrl-C is held for these few calls: stdin, stdout and stderr of a terminal share one open file, so a
    KeyboardInterrupt between switching it to non-blocking and back would leave the next prompts' writes
    failing. A Ctrl-C that arrives meanwhile is raised when the block ends (see ``interrupts``)."""
    with ctrl_c_held():
        was_blocking = os.get_blocking(fd)
        try:
            os.set_blocking(fd, False)
            return os.read(fd, 65536)  # a terminal hands over one line per read
        except BlockingIOError:
            return None
        finally:
            os.set_blocking(fd, was_blocking)


class PlainUI:
    """Plain text, one line per item; prompts go through ``read_line()``."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def message(self, text: str, style: str = "") -> None:
        print(text, file=self.out, flush=True)

    def panel(self, title: str, body: str, style: str = "", markdown: bool = True) -> None:
        print(f"--- {title} ---" if title else "---", file=self.out)
        print(body, file=self.out, flush=True)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        cells = [list(map(str, columns))] + [[str(c) for c in row] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
        if title:
            print(title, file=self.out)
        if not any(columns):
            cells = cells[1:]
        for row in cells:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=self.out)
        self.out.flush()

    def ask(self, prompt: str) -> str:
        """Read one line; raises EOFError at end of input and KeyboardInterrupt on Ctrl-C.

        When input is piped it is not echoed by a terminal, so it is echoed here to keep the transcript
        readable (prompt and answer on one line, as on screen).
        """
        print(prompt, end="", file=self.out, flush=True)
        text = read_line()
        if not sys.stdin.isatty():
            print(text, file=self.out, flush=True)
        return text


class RichUI:
    """Panels, Markdown (code blocks highlighted) and tables via rich."""

    def __init__(self) -> None:
        from rich.console import Console

        # No `import readline` here: with it, the terminal does not echo the Enter that ends an answer
        # typed after a rich prompt, and the next panel starts on the prompt's line.
        self.console = Console(highlight=False)

    def message(self, text: str, style: str = "") -> None:
        self.console.print(text, style=style or None, markup=False)

    def panel(self, title: str, body: str, style: str = "", markdown: bool = True) -> None:
        from rich.panel import Panel

        if markdown:
            from rich.markdown import Markdown

            content = Markdown(body)
        else:
            from rich.text import Text

            content = Text(body)
        self.console.print(Panel(content, title=title or None, title_align="left", border_style=style or "blue"))

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        from rich.table import Table

        table = Table(title=title or None, title_justify="left")
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(c) for c in row))
        self.console.print(table)

    def ask(self, prompt: str) -> str:
        from rich.text import Text

        self.console.print(Text(prompt, style="bold"), end="")
        return read_line()


def make_ui(plain: bool = False) -> PlainUI | RichUI:
    """Rich when stdout is a terminal, unless ``plain``; plain text otherwise."""
    if plain or not sys.stdout.isatty():
        return PlainUI()
    return RichUI()
