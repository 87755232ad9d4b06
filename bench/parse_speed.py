"""How long parsing the seed plan takes (the target is under 50 ms).

    .venv/bin/python bench/parse_speed.py [REPETITIONS]

Times `parse_text` on the seed's text, the text already read, after one warm-up parse.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from luoshi.importing import parse_text  # noqa: E402

SEED = ROOT / "luoshi" / "plans" / "seed" / "zaozhuang-2022-243.txt"
TARGET_MS = 50


def main(argv: list[str]) -> int:
    repetitions = int(argv[1]) if len(argv) > 1 else 200
    text = SEED.read_text(encoding="utf-8")
    parse_text(text)
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        parse_text(text)
        times.append((time.perf_counter() - start) * 1000)
    mean, median = statistics.mean(times), statistics.median(times)
    print(
        f"parse_text(seed) x{repetitions}: mean {mean:.2f} ms, median {median:.2f} ms, "
        f"min {min(times):.2f} ms, max {max(times):.2f} ms (target < {TARGET_MS} ms)"
    )
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
