"""Run folders: one owner of their layout, files, telemetry schema, summary and lock.

* ``folder``: ``RunFolder`` (name, files, identity, checkpoint, resume check) and ``RunLock``;
* ``telemetry``: the telemetry columns, their writer (``CsvLog``) and reader;
* ``summary``: ``RunSummary`` (``summary.json``) and ``run_stats`` for runs without one;
* ``read``: run folders read back (``read_run``, ``find_runs``, ``scenario_groups``);
* ``ensemble``: one scenario over many seeds and controllers, on any executor.

Example:
    >>> RunFolder.under("runs/laser-drift", controller="ai", seed=3).path.as_posix()
    'runs/laser-drift/ai-seed3'
"""

from twin.runs.folder import RunFolder, RunLock
from twin.runs.read import RunData, ScenarioGroup, find_runs, read_run, scenario_groups
from twin.runs.summary import RunStats, RunSummary, run_stats, summarize
from twin.runs.telemetry import BASE_COLUMNS, CsvLog, read_telemetry, telemetry_columns

__all__ = [
    "BASE_COLUMNS",
    "CsvLog",
    "RunData",
    "RunFolder",
    "RunLock",
    "RunStats",
    "RunSummary",
    "ScenarioGroup",
    "find_runs",
    "read_run",
    "read_telemetry",
    "run_stats",
    "scenario_groups",
    "summarize",
    "telemetry_columns",
]
