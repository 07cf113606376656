"""Data Docs that open with no network: an index and one self-contained page per table.

GX's own Data Docs load Bootstrap, jQuery, bootstrap-table and Font Awesome from CDNs (the package
ships none of them), and its index draws its list with that JavaScript, so offline it was an
unstyled page that listed nothing. These pages are rendered here from each validation result as
plain HTML with the stylesheet inline and no script, font or image: nothing to fetch, so they open
from disk anywhere, and they show the latest result of every table the checks have validated.

    data_docs/index.html                      every table's latest result, from tables/*.json
    data_docs/tables/<schema>.<table>.html    what each expectation of the table's suite saw
    data_docs/tables/<schema>.<table>.json    that validation result as GX reports it
"""

import html
import json
import os
import shutil
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

TABLES = "tables"
GX_SITE_FOLDERS = ("validations", "expectations", "static")  # GX's own layout, before these pages
MAX_TEXT = 400

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       background: #fff; max-width: 80rem; margin: 1.5rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
p.meta { color: #52606d; margin: .25rem 0 1.25rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem;
         border-bottom: 1px solid #d9dee3; }
th { background: #f3f5f7; font-weight: 600; }
tr.not-met td { background: #fff8f7; }
a { color: #0b5cad; }
code { font: .88em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
       white-space: pre-wrap; overflow-wrap: break-word; }
.status { display: inline-block; padding: .05rem .55rem; border-radius: .7rem;
          font-size: .85em; font-weight: 600; }
.passed { background: #dcf5e3; color: #14632d; }
.failed, .unreadable { background: #fde2e1; color: #8a1c1c; }
.warning { background: #fff1cc; color: #7a5300; }
"""


def publish(target: Path, results: Mapping[str, Mapping[str, Any]]) -> dict[str, Path]:
    """Write each table's page (name: "schema.table", result: GX's to_json_dict()) and the index
    of every table with a result on disk, so a job that validated only some tables keeps the
    others' pages listed. Returns each table's page."""
    for folder in GX_SITE_FOLDERS:  # pages of GX's own site, which needed the network
        shutil.rmtree(target / folder, ignore_errors=True)
    pages = {}
    for name, result in results.items():
        _write(target / TABLES / f"{name}.json", json.dumps(result, indent=1, default=str))
        pages[name] = target / TABLES / f"{name}.html"
        _write(pages[name], table_page(name, result))
    _write(target / "index.html", index_page(sorted((target / TABLES).glob("*.json"))))
    return pages


def status(result: Mapping[str, Any]) -> str:
    """passed; warning when only expectations marked `severity: warn` failed; else failed."""
    failed = [item for item in result.get("results", []) if not item.get("success")]
    if not failed:
        return "passed"
    return "warning" if all(_severity(item) == "warn" for item in failed) else "failed"


def index_page(files: list[Path]) -> str:
    rows, counts = [], {"passed": 0, "warning": 0, "failed": 0, "unreadable": 0}
    for file in files:
        name = file.stem
        try:
            result = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            counts["unreadable"] += 1
            rows.append(
                f"<tr><td>{_esc(name)}</td><td>{_badge('unreadable')}</td>" + "<td></td>" * 3
            )
            continue
        outcome = status(result)
        counts[outcome] += 1
        items = result.get("results", [])
        rows.append(
            f'<tr><td><a href="{TABLES}/{quote(name)}.html">{_esc(name)}</a></td>'
            f"<td>{_badge(outcome)}</td><td>{len(items)}</td>"
            f"<td>{sum(not item.get('success') for item in items)}</td>"
            f"<td>{_esc(_when(result))}</td></tr>"
        )
    words = {"warning": "with warnings only"}
    summary = ", ".join(f"{n} {words.get(w, w)}" for w, n in counts.items() if n) or "no results"
    body = (
        "<h1>Data Docs</h1>"
        f'<p class="meta">The latest Great Expectations validation of each table: {len(files)} '
        f"tables, {summary}. Each table's page lists its expectations and what they saw.</p>"
        "<table><thead><tr><th>Table</th><th>Result</th><th>Expectations</th>"
        "<th>Not met</th><th>Validated</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return _document("Data Docs", body)


def table_page(name: str, result: Mapping[str, Any]) -> str:
    items = result.get("results", [])
    not_met = sum(not item.get("success") for item in items)
    version = (result.get("meta") or {}).get("great_expectations_version", "")
    rows = "".join(_expectation_row(item) for item in items)
    body = (
        '<p><a href="../index.html">&larr; All tables</a></p>'
        f"<h1>{_esc(name)} {_badge(status(result))}</h1>"
        f'<p class="meta">Validated {_esc(_when(result))} with Great Expectations '
        f"{_esc(version)}: {len(items)} expectations, {not_met} not met.</p>"
        "<table><thead><tr><th>Result</th><th>Expectation</th><th>Column</th>"
        "<th>Arguments</th><th>Observed</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    return _document(f"{name} - Data Docs", body)


def _expectation_row(item: Mapping[str, Any]) -> str:
    config = item.get("expectation_config") or {}
    kwargs = dict(config.get("kwargs") or {})
    kwargs.pop("batch_id", None)
    column = kwargs.pop("column", kwargs.pop("column_list", ""))
    met = bool(item.get("success"))
    outcome = "passed" if met else ("warning" if _severity(item) == "warn" else "failed")
    arguments = ", ".join(f"{key}={_plain(value)}" for key, value in kwargs.items())
    return (
        f'<tr class="{"met" if met else "not-met"}"><td>{_badge(outcome)}</td>'
        f"<td><code>{_esc(config.get('type', '')).replace('_', '_<wbr>')}</code></td>"
        f"<td>{_esc(_plain(column))}</td><td><code>{_esc(arguments)}</code></td>"
        f"<td>{_esc(_observed(item))}</td></tr>"
    )


def _observed(item: Mapping[str, Any]) -> str:
    """What the expectation saw: an error, the unexpected rows with examples, or the value."""
    error = item.get("exception_info") or {}
    if error.get("raised_exception"):
        return f"error: {error.get('exception_message') or 'unknown'}"
    result = item.get("result") or {}
    if "unexpected_count" in result:
        seen = f"{result['unexpected_count']} of {result.get('element_count', '?')} rows unexpected"
        examples = result.get("partial_unexpected_list") or []
        return seen + (f"; e.g. {_plain(examples[:5])}" if examples else "")
    mismatched = (result.get("details") or {}).get("mismatched") or {}
    parts = [f"{what}: {_plain(names)}" for what, names in mismatched.items() if names]
    if "observed_value" in result:
        parts.insert(0, _plain(result["observed_value"]))
    return "; ".join(parts)


def _severity(item: Mapping[str, Any]) -> str:
    return str(((item.get("expectation_config") or {}).get("meta") or {}).get("severity", "error"))


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        text = ", ".join(_plain(v) for v in value)
    elif isinstance(value, dict):
        text = "(" + ", ".join(f"{k}={_plain(v)}" for k, v in value.items()) + ")"
    else:
        text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _when(result: Mapping[str, Any]) -> str:
    raw = str((result.get("meta") or {}).get("validation_time", ""))
    try:
        return datetime.fromisoformat(raw).strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    except ValueError:
        return raw


def _badge(outcome: str) -> str:
    return f'<span class="status {outcome}">{outcome}</span>'


def _esc(text: Any) -> str:
    return html.escape(str(text))


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>{body}</body></html>\n"
    )


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a reader (or the other job's index) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
