"""Which catalog chip an MLPerf accelerator name is: an explicit alias, else a normalizing rule.

MLPerf names carry memory, partition modes and power caps ("AMD Instinct MI300X-NPS1-SPX-192GB-
750W"); the catalog names the chip ("AMD Instinct MI300X"). The rule compares names as tokens in
three steps, each looser than the one before:
  1. exact:          lowercase tokens, without partition/thermal/power tokens and filler words;
  2. form_factor:    also sxm2/sxm4/sxm5... read as sxm;
  3. without_memory: also without memory sizes.
The first step that finds one chip matches; a step that finds two or more refuses (ambiguous)
and lists them, so a name is never matched by guess. An alias in seeds/accelerator_aliases.csv
decides before the rule does, and can say a name is not in the catalog.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import polars as pl

SPLIT = re.compile(r"[\s\-_/(),]+")
NUMBER = re.compile(r"^\d+(\.\d+)?$")
MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(?:gb|g)$")
IGNORED = re.compile(r"^(nps\d+|spx|dpx|qpx|cpx|cts|\d+w|gpu|superchip|grace|hopper)$")
FORM_FACTOR = re.compile(r"^(sxm|oam)\d+$")
STEPS = ("exact", "form_factor", "without_memory")

COLUMN_DESCRIPTIONS = {
    "mlperf_accelerator": "Accelerator name as MLPerf publishes it",
    "hardware_name": "Catalog chip it is (null when unmatched, ambiguous or not in the catalog)",
    "manufacturer": "Manufacturer: the catalog's, the alias's, or a catalog manufacturer's name "
    "the MLPerf name starts with",
    "status": "matched, not_in_catalog (an alias says so), ambiguous or unmatched",
    "method": "alias, exact, form_factor or without_memory (the step that matched)",
    "candidates": "Catalog chips that fit equally well when ambiguous",
    "normalized_name": "The name as the rule compares it (step 1 tokens)",
    "n_results": "MLPerf results (rows of raw.mlperf_results) naming this accelerator [count]",
    "note": "The alias's reason, when an alias decided",
}

KEYS = ("mlperf_accelerator",)  # analytics.accelerator_matches: one row per MLPerf name


def tokens(name: str) -> list[str]:
    """Lowercase tokens; '80 GB' and '80GB' become '80gb'; partition, power and filler go."""
    raw = [token for token in SPLIT.split(name.lower()) if token]
    out: list[str] = []
    for token in raw:
        if token in ("gb", "g") and out and NUMBER.match(out[-1]):
            out[-1] = f"{out[-1]}gb"
        elif MEMORY.match(token):
            out.append(f"{MEMORY.match(token)[1]}gb")
        elif not IGNORED.match(token):
            out.append("pcie" if token == "pcle" else token)  # 'PCle' is a typo in the catalog
    return out


def step_key(name: str, step: str) -> tuple[str, ...]:
    """The key a name is compared by at one step of the rule."""
    key = tokens(name)
    if step in ("form_factor", "without_memory"):
        key = [FORM_FACTOR.sub(r"\1", token) for token in key]
    if step == "without_memory":
        key = [token for token in key if not MEMORY.match(token)]
    return tuple(key)


def match_name(name: str, chips: Iterable[str]) -> tuple[str | None, str | None, list[str]]:
    """(chip, step, candidates): chip and step when one chip fits, candidates when several do."""
    chips = list(chips)
    for step in STEPS:
        by_key: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for chip in chips:
            by_key[step_key(chip, step)].append(chip)
        found = sorted(set(by_key.get(step_key(name, step), [])))
        if len(found) == 1:
            return found[0], step, []
        if len(found) > 1:
            return None, None, found
    return None, None, []


def manufacturer_by_prefix(name: str, manufacturers: Iterable[str]) -> str | None:
    """The one catalog manufacturer the name starts with (as a whole word), if exactly one."""
    found = {m for m in manufacturers if m and name.lower().startswith(m.lower() + " ")}
    return found.pop() if len(found) == 1 else None


def match_accelerators(
    results: pl.DataFrame, catalog: pl.DataFrame, aliases: pl.DataFrame
) -> pl.DataFrame:
    """One row per accelerator name in results (column accelerator); CPU-only rows are skipped."""
    counts = (
        results.filter(pl.col("accelerator").is_not_null())
        .group_by("accelerator")
        .len()
        .sort("accelerator")
    )
    chips = catalog.get_column("hardware_name").to_list()
    maker_of = dict(catalog.select("hardware_name", "manufacturer").iter_rows())
    makers = {m for m in maker_of.values() if m}
    alias_of = {row["mlperf_accelerator"]: row for row in aliases.iter_rows(named=True)}
    rows = []
    for name, count in counts.iter_rows():
        alias = alias_of.get(name)
        if alias is not None:
            chip, method, candidates = alias["hardware_name"], "alias", []
        else:
            chip, method, candidates = match_name(name, chips)
        if chip is not None:
            status = "matched"
        elif alias is not None:
            status = "not_in_catalog"
        else:
            status, method = ("ambiguous" if candidates else "unmatched"), None
        maker = maker_of.get(chip) if chip else None
        maker = maker or (alias or {}).get("manufacturer") or manufacturer_by_prefix(name, makers)
        rows.append(
            {
                "mlperf_accelerator": name,
                "hardware_name": chip,
                "manufacturer": maker,
                "status": status,
                "method": method,
                "candidates": candidates,
                "normalized_name": " ".join(tokens(name)),
                "n_results": count,
                "note": (alias or {}).get("note"),
            }
        )
    schema = {
        "mlperf_accelerator": pl.String,
        "hardware_name": pl.String,
        "manufacturer": pl.String,
        "status": pl.String,
        "method": pl.String,
        "candidates": pl.List(pl.String),
        "normalized_name": pl.String,
        "n_results": pl.Int64,
        "note": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def match_rates(matches: pl.DataFrame) -> dict[str, float | int | list[str]]:
    """Share of names and of results matched to a catalog chip, and the names that are not."""
    matched = matches.filter(pl.col("status") == "matched")
    names, results = matches.height, int(matches.get_column("n_results").sum())
    matched_results = int(matched.get_column("n_results").sum())
    return {
        "accelerator_names": names,
        "matched_names": matched.height,
        "name_match_rate": matched.height / names if names else 0.0,
        "results_with_accelerator": results,
        "matched_results": matched_results,
        "result_match_rate": matched_results / results if results else 0.0,
        "unmatched_names": matches.filter(pl.col("status") != "matched")
        .get_column("mlperf_accelerator")
        .to_list(),
    }
