"""PDF through LibreOffice headless, when it is installed.

Each conversion runs in its own temporary directory with its own LibreOffice profile
(-env:UserInstallation), so conversions in parallel requests or workers never share state, and
with FONTCONFIG_FILE pointing at fonts/fonts.conf, so the official font names render with the
installed free stand-ins instead of boxes.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

FONTCONFIG = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
TIMEOUT_SECONDS = 120


class PdfUnavailable(Exception):
    """LibreOffice is missing or failed; the message says so in the user's language."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice() is not None


def docx_to_pdf(data: bytes) -> bytes:
    """The .docx `data` rendered to PDF by LibreOffice."""
    return office_to_pdf(data, "docx")


def office_to_pdf(data: bytes, suffix: str) -> bytes:
    """The office document `data` (a .`suffix` file: docx, xlsx) rendered to PDF."""
    program = soffice()
    if program is None:
        raise PdfUnavailable(
            _(
                "LibreOffice is not installed on the server, so no PDF can be made. Download the "
                "Word version, or ask the system administrator to install LibreOffice "
                "(apt-get install libreoffice-writer)."
            )
        )
    with tempfile.TemporaryDirectory(prefix="luoshi-pdf-") as tmp:
        work = Path(tmp)
        source = work / f"report.{suffix}"
        source.write_bytes(data)
        env = {
            **os.environ,
            "FONTCONFIG_FILE": str(FONTCONFIG),
            "HOME": str(work),
            "LANG": "zh_CN.UTF-8",
        }
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(
                command,
                env=env,
                cwd=work,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(
                _("Making the PDF took too long; try again later or download the Word version.")
            ) from None
        target = work / "report.pdf"
        if not target.exists():
            raise PdfUnavailable(
                _("LibreOffice could not make the PDF; download the Word version.")
            )
        return target.read_bytes()
