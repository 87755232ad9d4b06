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

FONTCONFIG = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
TIMEOUT_SECONDS = 120


class PdfUnavailable(Exception):
    """LibreOffice is missing or failed; the message says so in Chinese."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice() is not None


def docx_to_pdf(data: bytes) -> bytes:
    """The .docx `data` rendered to PDF by LibreOffice."""
    program = soffice()
    if program is None:
        raise PdfUnavailable(
            "服务器未安装 LibreOffice，无法生成 PDF。请下载 Word 版本，"
            "或请系统管理员安装 LibreOffice（apt-get install libreoffice-writer）。"
        )
    with tempfile.TemporaryDirectory(prefix="luoshi-pdf-") as tmp:
        work = Path(tmp)
        source = work / "report.docx"
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
            raise PdfUnavailable("生成 PDF 超时，请稍后再试或下载 Word 版本。") from None
        target = work / "report.pdf"
        if not target.exists():
            raise PdfUnavailable("LibreOffice 未能生成 PDF，请下载 Word 版本。")
        return target.read_bytes()
