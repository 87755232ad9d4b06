"""The reporting fixtures (a tracked plan, 市商务局's November report), for the security tests
that work on reports; uploads go to a temporary directory."""

from luoshi.reporting.tests.conftest import (  # noqa: F401 (fixtures)
    _uploads_in_tmp,
    commerce_report,
    november,
    tracked,
)
