"""The directory of the demo region: its departments, their full names and aliases."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent / "zaozhuang.json"
