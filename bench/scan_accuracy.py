"""Accuracy and speed of OCR on the seed plan printed and scanned.

    .venv/bin/python bench/scan_accuracy.py

The seed (luoshi/plans/seed) is written to .docx, rendered to PDF by LibreOffice, and every page
turned into a 200 dpi picture in an image-only PDF, as a scanner makes one. RapidOCR reads it
(the network is not needed: its models are in its wheel), and the plan read from it is scored
against bench/zaozhuang-2022-243.expected.json as bench/import_accuracy.py scores documents: the
measures, the department sets, the leads, targets and deadlines. Department names that OCR glued
together are parted against the seed region's directory (luoshi/orgs/data/zaozhuang.json), as the
web import does; the score without the directory is printed too. Issue 18 asks for ≥ 90 % of
the measures and ≥ 85 % of the department sets.
"""

import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdfium2  # noqa: E402
from import_accuracy import SEED, SEED_EXPECTED, score  # noqa: E402

from luoshi.importing import ocr, parse_text  # noqa: E402
from luoshi.orgs.data import DIRECTORY  # noqa: E402
from luoshi.testing import docx_from_text, pdf_from_docx  # noqa: E402


def scanned(pdf: bytes) -> bytes:
    """Every page of `pdf` as a 200 dpi picture in an image-only PDF."""
    document = pypdfium2.PdfDocument(pdf)
    pages = [page.render(scale=ocr.DPI / 72).to_pil().convert("RGB") for page in document]
    output = io.BytesIO()
    pages[0].save(output, format="PDF", resolution=ocr.DPI, save_all=True, append_images=pages[1:])
    return output.getvalue()


def _measures(plan: dict) -> list[tuple[str, int, str]]:
    return [(t["label"], m["no"], m["text"]) for t in plan["tasks"] for m in t["measures"]]


def measures_read(plan: dict, expected: dict) -> tuple[int, int, int]:
    """(measures found where expected — same key task and number —, of which with their text
    exactly right, out of how many expected)."""
    want = {(task, no): text for task, no, text in _measures(expected)}
    found = exact = 0
    for task, no, text in _measures(plan):
        if (task, no) in want:
            found += 1
            exact += text == want.pop((task, no))
    return found, exact, len(_measures(expected))


def main() -> int:
    if not ocr.available():
        print("scan accuracy: skipped, rapidocr is not installed")
        return 0
    try:
        pdf = pdf_from_docx(docx_from_text(SEED.read_text(encoding="utf-8")))
    except BaseException as error:  # noqa: BLE001 - pytest.skip when LibreOffice is missing
        print(f"scan accuracy: skipped, {error}")
        return 0
    scan = scanned(pdf)
    start = time.perf_counter()
    pages = ocr.recognise(scan)
    seconds = time.perf_counter() - start
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))
    directory = json.loads(DIRECTORY.read_text(encoding="utf-8"))["departments"]
    names = [name for d in directory for name in (d["name"], d["full_name"], *d["aliases"])]
    print(f"scan of the seed: {len(pages)} pages read in {seconds:.0f} s")
    for label, known in (("with the directory", names), ("without it", ())):
        plan = parse_text(ocr.scan_text(pages, known)).to_dict()
        result = score(plan, expected)
        found, exact, wanted = measures_read(plan, expected)
        right, out_of = result["departments"]
        print(
            f"  {label}: measures {found}/{wanted} ({100 * found / wanted:.1f}%; text exact "
            f"{exact}), department sets "
            f"{right}/{out_of} ({100 * right / out_of:.1f}%), leads {result['lead'][0]}, "
            f"targets {result['targets'][0]}, deadlines {result['deadlines'][0]} of {out_of}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
