"""Twin layer: device model, the extraction and simulation loops, reports and the CLI.

The one place that may import every other package.
"""

from twin.errors import UserError

__all__ = ["UserError"]
