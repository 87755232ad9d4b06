"""The directory of the demo region: its departments, their full names and aliases; and the
regions around it (TREE): the province above, the districts below with a few bureaus each."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent / "zaozhuang.json"
TREE = Path(__file__).resolve().parent / "zaozhuang_tree.json"
