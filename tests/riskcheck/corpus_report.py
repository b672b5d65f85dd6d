"""Print precision and recall per rule over the golden corpus.

Run from the repository root: ``.venv/bin/python tests/riskcheck/corpus_report.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.riskcheck.corpus_lib import cases, score  # noqa: E402


def main() -> int:
    all_cases = cases()
    table = score(all_cases)
    print(f"Corpus: {len(all_cases)} scripts ({sum(len(c.expected) for c in all_cases)} expected findings)\n")  # noqa: T201
    print("| rule | TP | FP | FN | precision | recall |")  # noqa: T201
    print("|---|---:|---:|---:|---:|---:|")  # noqa: T201
    totals = {"tp": 0, "fp": 0, "fn": 0}
    for rule in sorted(table):
        counts = table[rule]
        tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
        for name, value in (("tp", tp), ("fp", fp), ("fn", fn)):
            totals[name] += value
        print(f"| {rule} | {tp} | {fp} | {fn} | {_ratio(tp, tp + fp)} | {_ratio(tp, tp + fn)} |")  # noqa: T201
    tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
    print(f"| all | {tp} | {fp} | {fn} | {_ratio(tp, tp + fp)} | {_ratio(tp, tp + fn)} |")  # noqa: T201
    return 0


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
