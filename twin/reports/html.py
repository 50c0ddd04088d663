"""Small self-contained HTML pages (tables and embedded PNGs, no external assets)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

__all__ = ["html_image", "html_link", "html_page", "html_table"]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}
img{max-width:100%;margin:0.5em 0;border:1px solid #eee}
"""


def html_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table with escaped cells."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_page(title: str, sections: Sequence[tuple[str, str]],
              images: Sequence[str | Path] = ()) -> str:
    """A complete page: a title, (heading, html) sections and PNGs embedded as base64."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"]
    for heading, content in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>{content}")
    parts.extend(html_image(img) for img in images)
    parts.append("</body></html>")
    return "".join(parts)


def html_image(path: str | Path) -> str:
    """An ``<img>`` tag embedding the PNG at ``path`` as base64 (alt text: its file name)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"<img alt='{html.escape(Path(path).name)}' src='data:image/png;base64,{data}'>"


def html_link(href: str, text: str | None = None) -> str:
    """An ``<a>`` tag to ``href`` (a relative path or URL), both escaped."""
    return f"<a href='{html.escape(href)}'>{html.escape(text if text is not None else href)}</a>"
