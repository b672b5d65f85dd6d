"""The multiprocess directory: wiped by the first process of a host, never while another one that uses it lives."""

from __future__ import annotations

import subprocess
import sys

from operations.multiproc import live_owners, prepare, process_exited


def test_first_process_wipes_later_ones_keep(tmp_path):
    (tmp_path / "counter_999999.db").write_bytes(b"old run")
    assert prepare(tmp_path, pid=999999) is True  # nobody alive: the previous run's files go
    assert not (tmp_path / "counter_999999.db").exists()

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert prepare(tmp_path, pid=sleeper.pid) is True  # 999999 is dead: `sleeper` is the first of this run
        (tmp_path / "counter_1.db").write_bytes(b"live")
        assert prepare(tmp_path, pid=sleeper.pid + 100000) is False  # another process starts: sleeper is alive
        assert (tmp_path / "counter_1.db").exists()
        assert sleeper.pid in live_owners(tmp_path)
    finally:
        sleeper.kill()
        sleeper.wait()
    process_exited(tmp_path, sleeper.pid)
    assert sleeper.pid not in live_owners(tmp_path)
