"""The run's cache: loaded tables and slow derived results, computed once and reused by every notebook.

A batch run (``make reports``) fills it; the notebooks in JupyterLab and the code-free app (``make app``)
read it, so a notebook's second and later renders skip what an earlier run already computed.

- :func:`load_dataset`: the loaded, validated and filtered :class:`~customer_workbook.data.Dataset`,
  stored as one Parquet file per table (plus a JSON file of its sources, quality notes and value unit).
  Its key is the **fingerprint of the data files** (path, size and modification time of every file the
  loader reads), the load parameters, the business unit and the library's version. The derived tables
  (:func:`customer_workbook.base.derived`: orders, sale orders, the per-customer table) are built when
  the data set is stored and stored with it, so a later read hands them to every notebook already built.
- :func:`call`: any slow, deterministic library function (persona search, customer values, driver
  effects ...). Its key is the function's name, a digest of **every argument's content** (tables by
  their values, index and dtypes; a data set by its own key) and the library's version, so a result
  can never be served for other data or other parameters. DataFrames are stored as Parquet, other
  results pickled (see below).

**Why the file fingerprint is enough.** Every write to a data file changes its modification time (or
its size), and the key holds both, to the nanosecond, for every file the loader reads; a file added to
or removed from the folder changes the list of files. Copying a file with its time preserved
(``cp -p``) over another of the same size is the one change it would miss: run once with
``cache=False`` (or delete ``build/cache/``) after such a copy.

**Why the library's version is in every key.** It is a hash of the library's source files, so editing
the library (a fix to a model, a new default) never serves a result computed by the old code.

**Why pickling our own results is safe here.** Only results computed by this library are pickled
(personas, customer values, model summaries: its own objects, holding numbers derived from the data),
never a file that came from outside: the user's data are read by the loader from CSV or Parquet only.
The pickles live in the project's ``build/cache/``, written by this library; whoever can write there
can edit the library's code as well, so loading them trusts nothing the code does not already trust.

**The way out.** ``cache=False`` on either function, or the environment variable
``CUSTOMER_WORKBOOK_CACHE=0``, computes everything afresh and writes nothing;
``CUSTOMER_WORKBOOK_CACHE_DIR`` moves the cache elsewhere. Under pytest the cache is off unless a test
sets ``CUSTOMER_WORKBOOK_CACHE=1``; a result that cannot be stored (a full disk, a read-only folder) is
simply not cached: the cache never fails a run.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pickle
import weakref
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .engine import DEFAULT_ENGINE
from .paths import atomic_write_bytes, atomic_write_text, resolve_path

__all__ = ["CACHE_DIR", "ENV_DIR", "ENV_SWITCH", "cache_dir", "call", "data_fingerprint", "enabled", "key_of",
           "library_version", "load_dataset"]

#: Where the cache lives, relative to the project root (``make clean`` removes ``build/``).
CACHE_DIR = "build/cache"
#: Environment variable that turns the cache off when set to 0, false, no or off.
ENV_SWITCH = "CUSTOMER_WORKBOOK_CACHE"
#: Environment variable naming another cache folder.
ENV_DIR = "CUSTOMER_WORKBOOK_CACHE_DIR"

_LIBRARY = Path(__file__).resolve().parent
#: The key of every data set this process loaded through :func:`load_dataset` (by object identity).
_DATASET_KEYS: dict[int, tuple[weakref.ref, str]] = {}


def enabled(cache: bool | None = None) -> bool:
    """Whether to use the cache: ``cache`` when given, otherwise ``$CUSTOMER_WORKBOOK_CACHE`` (on unless
    0/false/no/off); unset, it is on except under pytest, whose tests opt in (a test that replaces a
    library function must never leave its result in the cache for a real run)."""
    if cache is not None:
        return bool(cache)
    switch = os.environ.get(ENV_SWITCH)
    if switch is None:
        return "PYTEST_CURRENT_TEST" not in os.environ
    return switch.strip().lower() not in ("0", "false", "no", "off")


def cache_dir() -> Path:
    """The cache folder: ``$CUSTOMER_WORKBOOK_CACHE_DIR`` or ``build/cache/`` under the project root."""
    return resolve_path(os.environ.get(ENV_DIR) or CACHE_DIR)


@lru_cache(maxsize=1)
def library_version() -> str:
    """A hash of the library's Python source files (their paths and bytes): changes with any edit."""
    h = hashlib.sha256()
    for path in sorted(_LIBRARY.rglob("*.py")):
        h.update(path.relative_to(_LIBRARY).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def data_fingerprint(files: Mapping[str, str | Path]) -> list[list]:
    """``[table, absolute path, size, modification time in ns]`` of every data file, by table name."""
    rows = []
    for table, path in sorted(files.items()):
        stat = Path(path).stat()
        rows.append([table, str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns])
    return rows


# --------------------------------------------------------------------------- keys


def _digest(obj: Any, h, depth: int = 0) -> None:
    """Feed ``obj``'s content into the hash ``h``: tables by value, index and dtypes; objects by their fields."""
    h.update(f"<{type(obj).__module__}.{type(obj).__qualname__}>".encode())
    if depth > 8:  # deep inside a fitted model: its pickled bytes (equal content, equal bytes)
        h.update(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        return
    known = _DATASET_KEYS.get(id(obj))
    if known is not None and known[0]() is obj:
        h.update(known[1].encode())
    elif obj is None or isinstance(obj, (bool, int, float, str, bytes, np.generic, pd.Timestamp, pd.Timedelta)):
        h.update(repr(obj).encode())
    elif isinstance(obj, (pd.DataFrame, pd.Series, pd.Index)):
        _digest_table(obj, h)
    elif isinstance(obj, np.ndarray):
        h.update(f"{obj.dtype}{obj.shape}".encode())
        h.update(obj.tobytes() if obj.dtype != object else pickle.dumps(obj.tolist()))
    elif isinstance(obj, Mapping):
        for k in sorted(obj, key=repr):
            _digest(k, h, depth + 1)
            _digest(obj[k], h, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset, range)):
        for item in (sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj):
            _digest(item, h, depth + 1)
    elif callable(obj) and hasattr(obj, "__qualname__"):
        h.update(f"{getattr(obj, '__module__', '')}.{obj.__qualname__}".encode())
    elif dataclasses.is_dataclass(obj) or hasattr(obj, "__dict__"):
        fields = ({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)} if dataclasses.is_dataclass(obj)
                  else vars(obj))
        _digest({k: v for k, v in fields.items() if k != "derived_cache"}, h, depth + 1)
    else:
        h.update(pickle.dumps(obj))


def _digest_table(obj, h) -> None:
    """A DataFrame, Series or Index by its dtypes, labels and values."""
    frame = obj.to_frame() if isinstance(obj, (pd.Series, pd.Index)) else obj
    h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    h.update(repr(getattr(obj, "name", None)).encode())
    try:
        h.update(pd.util.hash_pandas_object(frame, index=not isinstance(obj, pd.Index)).to_numpy().tobytes())
        h.update(pd.util.hash_pandas_object(frame.index.to_frame(index=False), index=False).to_numpy().tobytes())
    except TypeError:  # unhashable cells (lists, dicts): their pickled form
        h.update(pickle.dumps(frame))


def key_of(*parts: Any) -> str:
    """The cache key of ``parts`` (their content) and the library's version, 24 hexadecimal digits."""
    h = hashlib.sha256(library_version().encode())
    for part in parts:
        _digest(part, h)
    return h.hexdigest()[:24]


def _remember(ds, key: str) -> None:
    _DATASET_KEYS[id(ds)] = (weakref.ref(ds, lambda _ref, i=id(ds): _DATASET_KEYS.pop(i, None)), key)


# --------------------------------------------------------------------------- the data set


def load_dataset(source, business_unit: str | None = None, *, cache: bool | None = None, **load_options):
    """:func:`customer_workbook.data.load_dataset` then :func:`~customer_workbook.data.filter_dataset`, cached.

    ``load_options`` are those of ``data.load_dataset`` (``column_map``, ``window``, ``outside_window``,
    ``date_format``, ``event_map``, ``status_map``). A data file changed since the tables were stored,
    another parameter or another library version misses the cache and loads afresh; so does
    ``cache=False``. Validation errors are never cached: a folder that fails the contract raises every time.
    A ``spark:`` source is never cached: its tables have no file whose change the key could see.
    """
    from . import data
    from .data._sources import parse_source
    from .data.load import _source_files

    database = parse_source(source)
    if database is not None and database.kind == "spark":  # Spark tables have no file to fingerprint: not cached
        return data.filter_dataset(data.load_dataset(source, **load_options), region=business_unit)
    use = enabled(cache)
    key = key_of("dataset", data_fingerprint(_source_files(source)), load_options, business_unit)
    folder = cache_dir() / "datasets" / key
    ds = _read_dataset(folder) if use else None
    if ds is None:
        ds = data.filter_dataset(data.load_dataset(source, **load_options), region=business_unit)
        if use:
            _store(_write_dataset, ds, folder)
    _remember(ds, key)
    return ds


def _write_dataset(ds, folder: Path) -> None:
    """One Parquet file per table, the derived tables under ``derived/`` and ``dataset.json`` (written
    last: its presence marks a complete entry)."""
    for name, frame in ds.tables.items():
        if frame is not None:
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=True)
            atomic_write_bytes(folder / f"{name}.parquet", buffer.getvalue())
    _write_derived(ds, folder / "derived")
    meta = {"tables": {name: frame is not None for name, frame in ds.tables.items()}, "sources": ds.sources,
            "quality": ds.quality.notes, "value_unit": ds.value_unit, "engine": ds.engine}
    atomic_write_text(folder / "dataset.json", json.dumps(meta, indent=1))


def _read_dataset(folder: Path):
    """The data set stored in ``folder``, or ``None`` when there is none (or it cannot be read)."""
    from .data import Dataset
    from .data.load import QualityReport

    try:
        meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") if present else None
                  for name, present in meta["tables"].items()}
    except (OSError, ValueError, KeyError):
        return None
    ds = Dataset(tables=tables, sources=meta["sources"], quality=QualityReport(list(meta["quality"])),
                 value_unit=meta["value_unit"], engine=meta.get("engine", DEFAULT_ENGINE))
    _read_derived(ds, folder / "derived")
    return ds


def _write_derived(ds, folder: Path) -> None:
    """Build the derived tables of ``ds`` (on its engine) and store those that read back exactly."""
    from .base.derived import STORED, derived

    tables = derived(ds)
    for name in STORED:
        parquet = _as_parquet(getattr(tables, name))
        if parquet is not None:
            atomic_write_bytes(folder / f"{name}.parquet", parquet)


def _read_derived(ds, folder: Path) -> None:
    """Hand the stored derived tables of ``ds`` to :func:`~customer_workbook.base.derived` (none: built
    on first use as usual)."""
    from .base.derived import STORED, derived

    stored = {}
    for name in STORED:
        try:
            stored[name] = pd.read_parquet(folder / f"{name}.parquet")
        except (OSError, ValueError):
            continue
    derived(ds).restore(stored)


# --------------------------------------------------------------------------- derived results


def call(function: Callable[..., Any], *args, cache: bool | None = None, **kwargs) -> Any:
    """``function(*args, **kwargs)``, or its stored result from an earlier call with the same content.

    For slow deterministic library functions only (seeded models, bootstraps): the key holds the
    function's module and name, every argument's content and the library's version. A DataFrame result
    is stored as Parquet, any other result pickled (the module docstring says why that is safe).
    """
    if not enabled(cache):
        return function(*args, **kwargs)
    name = f"{function.__module__}.{function.__qualname__}"
    folder = cache_dir() / "results" / name
    try:
        key = key_of(name, list(args), kwargs)
    except (TypeError, AttributeError, pickle.PicklingError):  # an argument that cannot be keyed: no cache
        return function(*args, **kwargs)
    for path, read in ((folder / f"{key}.parquet", pd.read_parquet), (folder / f"{key}.pkl", _unpickle)):
        if path.exists():
            try:
                return read(path)
            except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
                break  # unreadable (an older pandas, a half-copied folder): compute afresh below
    result = function(*args, **kwargs)
    _store(_write_result, result, folder, key)
    return result


def _write_result(result: Any, folder: Path, key: str) -> None:
    """``result`` as ``<key>.parquet`` when it is a table that reads back exactly, else ``<key>.pkl``."""
    parquet = _as_parquet(result) if isinstance(result, pd.DataFrame) else None
    if parquet is not None:
        atomic_write_bytes(folder / f"{key}.parquet", parquet)
    else:
        atomic_write_bytes(folder / f"{key}.pkl", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


def _store(write: Callable[..., None], *args) -> None:
    """Run ``write(*args)``; a result that cannot be stored (a full disk, a read-only folder, an object
    pickle refuses) is simply not cached: the cache never fails a run."""
    try:
        write(*args)
    except (OSError, TypeError, AttributeError, pickle.PicklingError):
        pass


def _as_parquet(frame: pd.DataFrame) -> bytes | None:
    """``frame`` as Parquet bytes when it reads back exactly (values, dtypes, labels), else ``None``."""
    try:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=True)
        back = pd.read_parquet(io.BytesIO(buffer.getvalue()))
        pd.testing.assert_frame_equal(back, frame, check_exact=True, check_freq=True, check_flags=True)
    except (ValueError, TypeError, AssertionError, ImportError, NotImplementedError):
        return None
    return buffer.getvalue()


def _unpickle(path: Path) -> Any:
    with open(path, "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - our own results in our own folder (see the module docstring)
