"""One run's folder: its name, its files, its identity, its checkpoint, and who may write it.

A run of one scenario with one controller and one seed lives in ``ROOT/<controller>-seed<seed>/``
(``RunFolder.under``); users pass the root (``--out``) and never build the name. The folder
holds:

* ``telemetry.csv``: one row per window (``twin.runs.telemetry`` owns its columns);
* ``timing.csv``: wall-clock seconds per window;
* ``scenario.toml``: the resolved scenario (``twin.scenario.scenario_to_toml``);
* ``run.json``: the run's identity (scenario, controller, seed), written when it starts;
* ``state.pkl``: the checkpoint after the last finished window (written atomically);
* ``summary.json``: the run's figures, written when it finishes;
* ``.lock``: held (``fcntl.flock``) by the one process writing the run.

Only one process writes a folder: ``RunFolder.lock`` takes an exclusive lock that the operating
system drops when its process ends, however it ends, so a second writer (resumed or not) is
refused with one line naming the holder, and a lock left by a killed process is simply taken
over. (The lock needs a POSIX system; on a network file system it relies on the server's
locking.)

A resume continues the same scenario: ``check_same_scenario`` compares the resolved scenarios as
data and names the first differing key (more windows are allowed).

Example:
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> folder = RunFolder.under(root, controller="ai", seed=3)
    >>> folder.path.name
    'ai-seed3'
    >>> with folder.lock():
    ...     folder.lock().acquire()
    Traceback (most recent call last):
    ...
    twin.errors.UserError: .../ai-seed3 is being written by another process (pid ...)...
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pickle
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.errors import UserError
from twin.scenario import Scenario, differences, scenario_from_dict, scenario_to_dict

__all__ = ["CHECKPOINT_FORMAT", "RunFolder", "RunLock"]

CHECKPOINT_FORMAT = 2
"""Version of ``state.pkl``'s layout (1: the untyped state of quantacore-twin before the loop
state became ``twin.loop.LoopState``)."""

_FILES = {"telemetry": "telemetry.csv", "timing": "timing.csv", "scenario": "scenario.toml",
          "identity": "run.json", "checkpoint": "state.pkl", "summary": "summary.json",
          "lock": ".lock"}


@dataclass(frozen=True)
class RunFolder:
    """The folder of one run.

    Attributes:
        path: the folder.
    """

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    # --- naming ----------------------------------------------------------------------------
    @staticmethod
    def run_name(controller: str, seed: int) -> str:
        """The folder name of a run: ``<controller>-seed<seed>``."""
        return f"{controller}-seed{seed}"

    @classmethod
    def under(cls, root: str | Path, *, controller: str, seed: int) -> RunFolder:
        """The folder of the run of ``controller`` at ``seed`` under the output root ``root``."""
        return cls(Path(root) / cls.run_name(controller, seed))

    # --- files -----------------------------------------------------------------------------
    @property
    def telemetry(self) -> Path:
        """``telemetry.csv``."""
        return self.path / _FILES["telemetry"]

    @property
    def timing(self) -> Path:
        """``timing.csv``."""
        return self.path / _FILES["timing"]

    @property
    def scenario_file(self) -> Path:
        """``scenario.toml`` (the resolved scenario)."""
        return self.path / _FILES["scenario"]

    @property
    def identity_file(self) -> Path:
        """``run.json`` (scenario, controller, seed)."""
        return self.path / _FILES["identity"]

    @property
    def checkpoint(self) -> Path:
        """``state.pkl``."""
        return self.path / _FILES["checkpoint"]

    @property
    def summary_file(self) -> Path:
        """``summary.json``."""
        return self.path / _FILES["summary"]

    @property
    def lock_file(self) -> Path:
        """``.lock``."""
        return self.path / _FILES["lock"]

    @property
    def listed_files(self) -> tuple[Path, ...]:
        """The run's files a report links to (those that exist)."""
        return tuple(p for p in (self.telemetry, self.summary_file, self.scenario_file,
                                 self.timing) if p.is_file())

    def holds_run(self) -> bool:
        """Whether a run was started here (a checkpoint or telemetry exists)."""
        return self.checkpoint.exists() or self.telemetry.exists()

    # --- identity and scenario --------------------------------------------------------------
    def write_identity(self, *, scenario: str, controller: str, seed: int) -> None:
        """Write ``run.json``."""
        data = {"scenario": scenario, "controller": controller, "seed": seed}
        self.identity_file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    def identity(self) -> dict[str, Any]:
        """``run.json`` (``{}`` if absent or unreadable: a folder of an older version)."""
        return _json_object(self.identity_file) or {}

    def write_scenario(self, scenario: Scenario, text: str) -> None:
        """Write ``scenario.toml`` (``text``: ``scenario_to_toml(scenario)``)."""
        if not self.scenario_file.exists() or \
                self.scenario_file.read_text(encoding="utf-8") != text:
            self.scenario_file.write_text(text, encoding="utf-8")

    def scenario_data(self) -> dict[str, Any] | None:
        """``scenario.toml`` as data, or None if it is absent or not TOML.

        Not validated: it may name a decoder that this process has not registered.
        """
        import tomllib

        try:
            return tomllib.loads(self.scenario_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None

    def read_scenario(self) -> Scenario | None:
        """The resolved scenario of ``scenario.toml``, or None if it is absent or invalid."""
        import tomllib

        try:
            data = tomllib.loads(self.scenario_file.read_text(encoding="utf-8"))
            return scenario_from_dict(data, source=str(self.scenario_file))
        except (OSError, UnicodeDecodeError, ValueError):
            return None

    def check_same_scenario(self, scenario: Scenario) -> None:
        """Refuse to continue a different scenario here (only ``windows`` may change).

        Raises:
            UserError: naming the folder and the first differing key with both values.
        """
        old = self.scenario_data()
        if old is None:
            raise UserError(f"cannot resume {self.path}: its scenario.toml is missing or not "
                            "TOML")
        diff = differences(old, scenario_to_dict(scenario), ignore=("windows",))
        if diff:
            key, there, now = diff[0]
            more = f" and {len(diff) - 1} more key(s)" if len(diff) > 1 else ""
            raise UserError(f"cannot resume {self.path}: it holds a different scenario ({key} "
                            f"= {there!r} there, {now!r} now{more})")

    # --- checkpoint and summary -------------------------------------------------------------
    def write_checkpoint(self, payload: Any) -> None:
        """Pickle ``payload`` to ``state.pkl`` atomically (a temporary file, fsync, rename).

        Raises:
            pickle.PicklingError, TypeError, AttributeError: ``payload`` cannot be pickled.
            OSError: the folder cannot be written.
        """
        blob = pickle.dumps(payload)
        tmp = self.path / (_FILES["checkpoint"] + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.checkpoint)

    def read_checkpoint(self) -> Any:
        """The unpickled checkpoint.

        Raises:
            UserError: no checkpoint, or one this version cannot read.
        """
        try:
            with open(self.checkpoint, "rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            raise UserError(f"cannot resume {self.path}: no run there to continue (run "
                            "without --resume to start one)") from None
        except Exception as exc:  # noqa: BLE001 - unpickling raises anything
            raise UserError(f"cannot resume {self.path}: its checkpoint cannot be read by "
                            f"this version of quantacore-twin ({type(exc).__name__}: {exc}); "
                            "start a new run") from None

    def write_summary(self, summary: dict[str, Any]) -> None:
        """Write ``summary.json``."""
        self.summary_file.write_text(json.dumps(summary, indent=2), encoding="utf-8")

    def summary(self) -> dict[str, Any] | None:
        """``summary.json`` as a dict, None if absent.

        Raises:
            UserError: the file exists but is not a JSON object.
        """
        path = self.summary_file
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: cannot read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno})") from None
        if not isinstance(data, dict):
            raise UserError(f"{path}: expected a JSON object, got {type(data).__name__}")
        return data

    def finished(self, scenario: Scenario) -> dict[str, Any] | None:
        """The stored summary if a run of exactly ``scenario`` finished here, else None."""
        if self.scenario_data() != scenario_to_dict(scenario):
            return None
        try:
            summary = self.summary()
        except UserError:
            return None
        if summary is None or summary.get("seed") != scenario.seed or \
                summary.get("windows") != scenario.windows:
            return None
        return summary

    # --- writing rights ---------------------------------------------------------------------
    def lock(self) -> RunLock:
        """The folder's writer lock (not yet acquired; use as a context manager)."""
        return RunLock(self)


def _json_object(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


class RunLock:
    """The exclusive right to write one run folder.

    ``fcntl.flock`` on ``.lock``: the kernel drops it when the holder's process ends (a
    ``kill -9`` included), so a lock is never stale; the file's content (pid, host, start time)
    only names the holder in the refusal.

    Args:
        folder: the run folder (created on ``acquire`` if missing).
    """

    def __init__(self, folder: RunFolder) -> None:
        self.folder = folder
        self.fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self.fd is not None

    def acquire(self) -> RunLock:
        """Take the lock.

        Raises:
            UserError: another process (or another writer in this one) holds it; the folder
                cannot be created.
        """
        import fcntl

        if self.fd is not None:
            return self
        path = self.folder.lock_file
        try:
            self.folder.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UserError(f"cannot write to {self.folder.path}: {exc.strerror or exc}"
                            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _json_object(path) or {}
            os.close(fd)
            who = (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, since "
                   f"{holder.get('since', '?')}") if holder else "unknown holder"
            raise UserError(f"{self.folder.path} is being written by another process ({who}): "
                            "wait for it to finish (or stop it) before running or resuming "
                            "there") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "since": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        """Drop the lock (the file stays: removing it would race with a waiting writer)."""
        import fcntl

        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:  # a lock object dropped without release
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
