"""bench/run.py states each target of issue 18 with the measured figure, the target and their ratio."""
from __future__ import annotations

import importlib.util
import sys

from customer_workbook.paths import project_root


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", project_root() / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_absent_data_are_not_measured_and_the_machine_is_stated(tmp_path, capsys):
    assert _bench().main(["--only", "series-10m", "--data-root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("start: ") and "\nend: " in out and "load average" in out and "cores" in out
    lines = [line for line in out.splitlines() if line.startswith("whole series, 10,000,000 customers")]
    assert len(lines) == 2 and all("not measured: run make data N=10000000" in line for line in lines)
    assert "<= 1200 s" in lines[0] and "<= 16 GiB" in lines[1]


def test_each_row_shows_measured_goal_ratio_and_result(capsys):
    bench = _bench()
    bench.print_table([bench.Row("make reports", "45.0 s", "<= 30 s", 1.5, False),
                       bench.Row("CLV fit", "80x", ">= 50x faster", 1.6, True)])
    rows = capsys.readouterr().out.splitlines()[2:]
    assert "45.0 s" in rows[0] and "<= 30 s" in rows[0] and "1.50" in rows[0] and rows[0].endswith("misses")
    assert "1.60" in rows[1] and rows[1].endswith("meets")
