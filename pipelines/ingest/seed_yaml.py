"""The YAML loader for seed files: PyYAML's safe loader, stricter where a seed needs it to be.

yaml.safe_load lets a second `pue:` in a mapping silently replace the first, expands aliases (a
few lines of nested anchors, "billion laughs", become billions of items), raises a bare ValueError
on an impossible date such as 2000-13-45 and passes text no UTF-8 file can hold (a lone "\\ud800").
Each is refused here with the line it is on, so `sovai validate` reports it as a data error.
"""

from __future__ import annotations

from typing import Any

import yaml

STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"


class SeedYamlError(yaml.MarkedYAMLError):
    """A seed YAML document refused: rule, the key it is about ("-" if none), and where."""

    def __init__(self, rule: str, column: str, mark: yaml.Mark | None):
        super().__init__(problem=rule, problem_mark=mark)
        self.rule = rule
        self.column = column

    @property
    def row(self) -> str:
        return "whole file" if self.problem_mark is None else f"line {self.problem_mark.line + 1}"


class SeedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses duplicate keys, aliases and text that is not valid Unicode,
    and keeps dates as written (the column's own parser then checks them, with row and column)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            rule = (
                f"YAML aliases (*{event.anchor}) are not allowed in seeds; write the value out "
                "where it is used"
            )
            raise SeedYamlError(rule, "-", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # an unhashable key: the safe loader's own error names it
            if first is not key_node:
                rule = (
                    f"key {key!r} appears twice in one mapping (first on line "
                    f"{first.start_mark.line + 1}); YAML would silently keep only the second"
                )
                raise SeedYamlError(rule, str(key), key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_seed_str(self, node: yaml.ScalarNode) -> str:
        value = self.construct_scalar(node)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            bad = value[error.start].encode("unicode_escape").decode("ascii")
            rule = f"not valid text: {bad} is half of a UTF-16 pair, not a character"
            raise SeedYamlError(rule, "-", node.start_mark) from None
        return value

    def construct_date_as_text(self, node: yaml.ScalarNode) -> str:
        return self.construct_scalar(node)


SeedLoader.add_constructor(STR_TAG, SeedLoader.construct_seed_str)
SeedLoader.add_constructor(TIMESTAMP_TAG, SeedLoader.construct_date_as_text)


def load_seed_yaml(text: str) -> Any:
    """One YAML document, read with SeedLoader; raises SeedYamlError (a yaml.YAMLError)."""
    return yaml.load(text, Loader=SeedLoader)
