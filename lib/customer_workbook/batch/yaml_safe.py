"""Reading a batch parameter file safely: size limits, alias bombs measured without being expanded,
impossible dates kept as text, duplicate keys refused, and the line of every key for messages."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["MAX_ALIASES", "MAX_FILE_BYTES", "MAX_NODES", "ParameterFileError", "read_yaml"]

MAX_FILE_BYTES = 256 * 1024  # a parameter file is a few lines
MAX_NODES = 20_000  # YAML nodes after resolving aliases; a real file has a few dozen
MAX_ALIASES = 200


class ParameterFileError(ValueError):
    """A batch parameter file is not valid. ``problems`` lists every problem found in ``path``."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{path}: {len(self.problems)} problem(s) in this batch parameter file:\n{lines}")




class _TooBig(Exception):
    pass


class _SafeLoader(yaml.SafeLoader):
    """A safe loader that counts aliases while composing and keeps impossible timestamps as text
    (YAML's resolver turns ``2025-02-30`` into a date and the constructor then crashes with no line)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_count = getattr(self, "alias_count", 0) + 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _TooBig(f"line {mark.line + 1}: more than {MAX_ALIASES} YAML aliases (*name); "
                              "a parameter file never needs that many")
        return super().compose_node(parent, index)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded, computed on the node graph
    (each shared node once), so an alias bomb is measured without being expanded. Raises
    :class:`_TooBig` beyond :data:`MAX_NODES` or on a recursive alias."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise _TooBig(f"line {node.start_mark.line + 1}: a YAML alias refers to the node that contains it")
        visiting.add(key)
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise _TooBig(f"the document expands to more than {MAX_NODES:,} values (YAML aliases "
                              "repeating other aliases?); a parameter file is a few dozen lines")
        visiting.discard(key)
        sizes[key] = total
        return total

    size(root)
    return sizes[id(root)]


def _lines_and_duplicates(node: yaml.Node, path: tuple = (), depth: int = 0,
                          lines: dict | None = None, problems: list | None = None):
    """Line numbers of the keys of the first three mapping levels, and duplicate keys (which YAML
    would silently resolve to the last value)."""
    lines = {} if lines is None else lines
    problems = [] if problems is None else problems
    if isinstance(node, yaml.MappingNode) and depth < 3:
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                where = ".".join(path + (key_node.value,))
                problems.append(f"line {line}: key '{where}' is given twice (also on line {seen[key_node.value]}); "
                                "keep one")
            seen[key_node.value] = line
            lines[path + (key_node.value,)] = line
            _lines_and_duplicates(value_node, path + (key_node.value,), depth + 1, lines, problems)
    return lines, problems


def read_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """The document of ``path`` and the line of each key (first levels), or a ParameterFileError."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ParameterFileError(path, ["is a folder, not a YAML file"]) from None
    except FileNotFoundError:
        raise ParameterFileError(path, ["file not found"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ParameterFileError(path, [f"is {len(raw):,} bytes; a parameter file is at most {MAX_FILE_BYTES:,}"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterFileError(path, [f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"]) from None
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _expanded_size(node)
        lines, duplicates = _lines_and_duplicates(node)
        if duplicates:
            raise ParameterFileError(path, duplicates)
        return loader.construct_document(node), lines
    except _TooBig as exc:
        raise ParameterFileError(path, [f"refused: {exc}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise ParameterFileError(path, [f"{where}YAML syntax error: {what}"]) from None
    except yaml.YAMLError as exc:
        raise ParameterFileError(path, [f"YAML error: {exc}"]) from None
    except RecursionError:
        raise ParameterFileError(path, ["refused: the YAML is nested too deeply"]) from None
    finally:
        loader.dispose()
