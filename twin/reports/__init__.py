"""Reports: PNG plots and self-contained HTML pages for runs, comparisons and sweeps.

* ``runs``: the report of a folder of runs (``write_report``); ``run_plots``: its plots;
* ``compare``: the report of a code comparison; ``sweep_plot``, ``physics_sweep_plot``: the
  plots of QEC and physics sweeps;
* ``plots``, ``html``: the figure and page helpers they share.

Modules are imported on use (matplotlib is slow to import).

Example:
    >>> from twin.reports.html import html_table
    >>> html_table(["a"], [[1]])
    '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
"""
