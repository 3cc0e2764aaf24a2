"""Progress reports, cancellation and Ctrl-C for long library calls.

The library reports progress through a C callback (desurv_progress_fn) that
it always invokes on the thread that called desurv_fit() / desurv_tune().
:class:`ProgressBridge` owns one ctypes trampoline of that type, installed
on a handle for the handle's whole life, and turns the ``progress``
argument of :meth:`desurv.DeSurv.fit` and :class:`desurv.DeSurvTuner` into
calls of it:

``progress=None`` (or ``False``)
    nothing is reported, but the (cheap) trampoline still runs once per
    outer iteration of a fit and once per fold fit of a tuning run, so
    Ctrl-C stops a long call within one iteration.
``progress=True``
    a tqdm progress bar per stage when tqdm is importable, otherwise a
    plain textual reporter writing at most two lines a second to
    ``sys.stderr``.
a callable ``f(stage, step, total, best)``
    called with ``stage`` one of ``"starts"``, ``"fit"``, ``"design"``,
    ``"search"``, ``"refit"`` (the desurv_stage values), ``step`` of
    ``total`` units done and ``best`` the best value so far (training loss
    for a fit, best mean cross-validated C-index for tuning; NaN when none
    yet).  Return ``None`` or ``True`` to go on; return ``False`` (any
    false value other than ``None``) to stop: the call then raises
    :class:`desurv.CancelledError` and leaves the model as it was.

Exceptions never cross the C boundary: an exception raised by the callback
(``KeyboardInterrupt`` included) is caught in the trampoline, which asks
the library to stop; once the C call has returned, the original exception
is raised again with its traceback.  The object stays usable.

Ctrl-C: ctypes releases the GIL during the C call and Python's C-level
SIGINT handler only records the signal; the Python-level handler runs at
the next Python code executed on the main thread, which is the
trampoline.  While a call runs on the main thread with Python's default
SIGINT handler in place, a handler that only records the interrupt is
installed; the trampoline then cancels the C call and ``KeyboardInterrupt``
is raised once the call has returned.  Other handlers (set by the user)
and calls from other threads are left alone (Python delivers signals to
the main thread only).
"""

import ctypes
import math
import signal
import sys
import threading
import time as _time

from ._lib import PROGRESS_FN

STAGES = {0: "starts", 1: "fit", 2: "design", 3: "search", 4: "refit"}

try:  # used to process a SIGINT that arrived after the last callback
    _check_signals = ctypes.pythonapi.PyErr_CheckSignals
    _check_signals.restype = ctypes.c_int
    _check_signals.argtypes = []
except (AttributeError, OSError):  # pragma: no cover - not CPython
    _check_signals = None


class TextProgress:
    """Plain textual progress reporter: one line per stage change and at
    most one line every ``interval`` seconds to ``stream`` (default
    ``sys.stderr``).  Usable as a ``progress`` callable.

    Example::

        DeSurv(3).fit(X, t, e, progress=TextProgress(interval=2.0))
    """

    def __init__(self, stream=None, interval=0.5):
        self.stream = stream
        self.interval = float(interval)
        self._stage = None
        self._last = 0.0

    def __call__(self, stage, step, total, best):
        now = _time.monotonic()
        if stage == self._stage and step < total and now - self._last < self.interval:
            return None
        self._stage, self._last = stage, now
        line = f"desurv: {stage} {step}/{total}"
        if best == best:  # not NaN
            line += f"  best {best:.6g}"
        print(line, file=self.stream if self.stream is not None else sys.stderr, flush=True)
        return None

    def close(self):
        """Nothing to release (kept for symmetry with the tqdm reporter)."""


class TqdmProgress:
    """tqdm progress bars, one per stage (``desc`` is the stage name, the
    postfix the best value so far).  Usable as a ``progress`` callable;
    ``close()`` closes the open bar."""

    def __init__(self, **tqdm_kwargs):
        import tqdm  # noqa: F401  (ImportError when absent)
        self._kwargs = dict(tqdm_kwargs)
        self._bar = None
        self._stage = None

    def __call__(self, stage, step, total, best):
        from tqdm import tqdm
        if self._bar is None or stage != self._stage or total != self._bar.total:
            if self._bar is not None and stage != self._stage:
                # stages are sequential: the previous one is complete
                self._bar.update(self._bar.total - self._bar.n)
            self.close()
            kw = dict(file=sys.stderr, dynamic_ncols=True, leave=True)
            kw.update(self._kwargs)
            self._bar = tqdm(total=int(total), desc=f"desurv {stage}", **kw)
            self._stage = stage
        bar = self._bar
        if best == best and math.isfinite(best):
            bar.set_postfix_str(f"best={best:.5g}", refresh=False)
        delta = int(step) - bar.n
        if delta:
            bar.update(delta)  # throttled by tqdm's mininterval
        return None

    def close(self):
        bar, self._bar = self._bar, None
        if bar is not None:
            bar.close()


def make_reporter(progress):
    """The callable behind a ``progress`` argument (None for no reports).

    :raises TypeError: progress is not None, a bool or a callable."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            return TqdmProgress()
        except ImportError:
            return TextProgress()
    if callable(progress):
        return progress
    raise TypeError(f"progress must be None, True, False or a callable "
                    f"f(stage, step, total, best), got {progress!r}")


class ProgressBridge:
    """One ctypes trampoline (``cfunc``, a PROGRESS_FN) and the state of
    the call it serves.  Keep the bridge referenced as long as ``cfunc`` is
    installed on a handle.  Not for concurrent use by several threads (nor
    are the handles)."""

    def __init__(self):
        self.callback = None
        self.error = None
        self.interrupted = False
        self.cancelled = False
        self.calls = 0
        self.cfunc = PROGRESS_FN(self._trampoline)

    def _trampoline(self, stage, step, total, best, _user):
        # Nothing may escape from here into C: every exception is stored.
        try:
            self.calls += 1
            cb = self.callback
            if cb is not None and not self.interrupted:
                r = cb(STAGES.get(stage, str(stage)), int(step), int(total), float(best))
                if r is not None and not r:
                    self.cancelled = True
            return 1 if (self.interrupted or self.cancelled) else 0
        except BaseException as e:  # KeyboardInterrupt, SystemExit, ... included
            if self.error is None:
                self.error = e
            return 1

    def _on_sigint(self, signum, frame):
        self.interrupted = True

    def call(self, progress, fn, *args):
        """Run ``fn(*args)`` (a ctypes function of the library, whose
        handle has ``cfunc`` installed) with ``progress`` reporting; return
        its status.  Call :meth:`raise_pending` afterwards."""
        reporter = make_reporter(progress)
        self.callback, self.error = reporter, None
        self.interrupted = self.cancelled = False
        old = None
        if threading.current_thread() is threading.main_thread():
            try:
                if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                    signal.signal(signal.SIGINT, self._on_sigint)
                    old = signal.default_int_handler
            except (ValueError, OSError):  # not the main interpreter, ...
                old = None
        try:
            return fn(*args)
        finally:
            try:
                if old is not None:
                    if _check_signals is not None:
                        _check_signals()  # a SIGINT after the last callback
                    signal.signal(signal.SIGINT, old)
            finally:
                self.callback = None
                close = getattr(reporter, "close", None)
                if close is not None and reporter is not progress:
                    close()

    def raise_pending(self):
        """Raise the exception stored by the callback during the last call
        (with its original traceback), or KeyboardInterrupt for a Ctrl-C;
        do nothing otherwise.  Clears the state."""
        err, self.error = self.error, None
        interrupted, self.interrupted = self.interrupted, False
        self.cancelled = False
        if err is not None:
            try:
                raise err
            finally:
                err = None
        if interrupted:
            raise KeyboardInterrupt
