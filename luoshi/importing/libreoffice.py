"""LibreOffice headless, the one runner of it in luoshi: old Office files in, PDF out.

The importer turns old Word, WPS and Excel files (.doc, .wps, .xls, .et) into .docx/.xlsx with
it; the documents app renders its .docx and .xlsx to PDF with it. Each conversion runs in its own
temporary directory with its own LibreOffice profile (-env:UserInstallation), so conversions in
parallel requests or workers never share state, and is stopped after a timeout.

Plain Python (no Django), so that the importer can use it: the callers word the messages.
"""

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 120


class LibreOfficeMissing(Exception):
    """Neither `soffice` nor `libreoffice` is on the PATH."""


class ConversionTimedOut(Exception):
    pass


class ConversionFailed(Exception):
    """LibreOffice wrote nothing: the file is damaged, or not what the input filter reads."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(
    data: bytes,
    suffix: str,
    target: str,
    *,
    infilter: str | None = None,
    env: dict[str, str] | None = None,
    timeout: int = TIMEOUT_SECONDS,
) -> bytes:
    """`data` (a .`suffix` file) converted by LibreOffice headless.

    `target` is what `soffice --convert-to` takes ("pdf", "docx:MS Word 2007 XML"); `infilter`
    names the only import filter LibreOffice may use (without it, a damaged file may be read as
    plain text); `env` is added to the environment (FONTCONFIG_FILE).
    """
    program = soffice()
    if program is None:
        raise LibreOfficeMissing
    with tempfile.TemporaryDirectory(prefix="luoshi-office-") as tmp:
        work = Path(tmp)
        source = work / f"document.{suffix}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        environment = {**os.environ, "HOME": str(work), "LANG": "zh_CN.UTF-8", **(env or {})}
        # A session of its own: on timeout the whole group goes, soffice.bin included.
        with subprocess.Popen(
            command,
            env=environment,
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ) as process:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise ConversionTimedOut from None
        outputs = list((work / "out").glob("document.*"))
        if not outputs:
            raise ConversionFailed
        return outputs[0].read_bytes()
