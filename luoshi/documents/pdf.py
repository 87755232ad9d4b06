"""PDF through LibreOffice headless, when it is installed.

The runner is the importer's (luoshi/importing/libreoffice.py: its own temporary directory and
LibreOffice profile for each conversion, so that parallel requests or workers never share state,
and a timeout), with FONTCONFIG_FILE pointing at fonts/fonts.conf, so the official font names
render with the installed free stand-ins instead of boxes.
"""

from pathlib import Path

from django.utils.translation import gettext as _

from luoshi.importing import libreoffice

FONTCONFIG = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
TIMEOUT_SECONDS = 120


class PdfUnavailable(Exception):
    """LibreOffice is missing or failed; the message says so in the user's language."""


def pdf_available() -> bool:
    return libreoffice.soffice() is not None


def docx_to_pdf(data: bytes) -> bytes:
    """The .docx `data` rendered to PDF by LibreOffice."""
    return office_to_pdf(data, "docx")


def office_to_pdf(data: bytes, suffix: str) -> bytes:
    """The office document `data` (a .`suffix` file: docx, xlsx) rendered to PDF."""
    try:
        return libreoffice.convert(
            data, suffix, "pdf", env={"FONTCONFIG_FILE": str(FONTCONFIG)}, timeout=TIMEOUT_SECONDS
        )
    except libreoffice.LibreOfficeMissing:
        raise PdfUnavailable(
            _(
                "LibreOffice is not installed on the server, so no PDF can be made. Download the "
                "Word version, or ask the system administrator to install LibreOffice "
                "(apt-get install libreoffice-writer)."
            )
        ) from None
    except libreoffice.ConversionTimedOut:
        raise PdfUnavailable(
            _("Making the PDF took too long; try again later or download the Word version.")
        ) from None
    except libreoffice.ConversionFailed:
        raise PdfUnavailable(
            _("LibreOffice could not make the PDF; download the Word version.")
        ) from None
