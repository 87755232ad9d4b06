"""The seed plan (see SOURCE.md): the demo's plan and the importer's test data."""

from pathlib import Path

SEED = Path(__file__).resolve().parent / "zaozhuang-2022-243.txt"
