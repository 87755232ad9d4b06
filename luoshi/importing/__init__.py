"""Reading division-of-work plans (分工方案) from their documents. Pure Python: no Django here.

`parse_text(text)` returns a `ParsedPlan`, the documented JSON contract (docs/import-json.md),
or raises `ParseError` with a message in Chinese for the person who uploaded the file.
"""

from luoshi.importing.model import (
    ParsedDepartment,
    ParsedMeasure,
    ParsedPlan,
    ParsedTarget,
    ParsedTask,
    ReportingRule,
)
from luoshi.importing.text import ParseError, parse_text

__all__ = [
    "ParseError",
    "ParsedDepartment",
    "ParsedMeasure",
    "ParsedPlan",
    "ParsedTarget",
    "ParsedTask",
    "ReportingRule",
    "parse_text",
]
