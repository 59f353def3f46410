"""Results as JSON and back, exactly: an :class:`~crosswire.records.Article` (with its
:class:`~crosswire.records.Reading`) or a :class:`~crosswire.records.Failure` survives the round
trip field for field, offsets and ids included.

Why not ``Article.to_dict``: that is the output contract (it adds ``text``, drops the reading
and recomputes offsets); a shard's result file must give back the very objects a worker made.
Decoding is strict: an unknown or missing field, or a value of the wrong type, raises
:class:`ValueError`, so a damaged file is refused rather than half read.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from typing import Any, Literal, Union

from crosswire.records import Article, Failure


@dataclasses.dataclass(frozen=True, slots=True)
class Skipped:
    """A document the filters left out (``--since``, ``--host``, ...): counted, not stored."""

    source: str
    reason: str


Result = Article | Failure | Skipped
_TYPES: dict[str, type] = {"article": Article, "failure": Failure, "skipped": Skipped}
_NAMES = {cls: name for name, cls in _TYPES.items()}


def encode(result: Result) -> str:
    """One JSON line (no newline) for a result."""
    kind = _NAMES[type(result)]
    return json.dumps(
        {"type": kind, "data": dataclasses.asdict(result)}, ensure_ascii=False, allow_nan=True
    )


def decode(line: str | bytes) -> Result:
    """The result :func:`encode` wrote; :class:`ValueError` for anything else."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(record, dict) or set(record) != {"type", "data"}:
        raise ValueError("not a result record")
    cls = _TYPES.get(record["type"])
    if cls is None:
        raise ValueError(f"unknown result type {record['type']!r}")
    result = _build(cls, record["data"], cls.__name__)
    assert isinstance(result, Article | Failure | Skipped)
    return result


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object")
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    if set(data) != names:
        extra, missing = sorted(set(data) - names), sorted(names - set(data))
        raise ValueError(f"{where}: unexpected fields {extra}, missing fields {missing}")
    hints = _hints(cls)
    return cls(**{k: _value(hints[k], v, f"{where}.{k}") for k, v in data.items()})


def _value(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _value(option, value, where)
            except ValueError as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors) or f"{where}: unexpected null")
    if origin is Literal:
        if value not in typing.get_args(hint):
            raise ValueError(f"{where}: {value!r} is not one of {typing.get_args(hint)}")
        return value
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list")
        return [_value(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(args) != len(value):
            raise ValueError(f"{where}: expected {len(args)} items")
        pairs = enumerate(zip(args, value, strict=True))
        return tuple(_value(a, v, f"{where}[{i}]") for i, (a, v) in pairs)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _build(hint, value, where)
    if hint is float:
        # JSON keeps 1.0 as 1.0 and 1 as 1: an int stays an int, as the worker made it.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}: expected a number")
        return value
    if hint in (str, int, bool):
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise ValueError(f"{where}: expected {hint.__name__}")
        return value
    raise ValueError(f"{where}: cannot decode type {hint!r}")  # pragma: no cover
