"""A scan is uploaded, read by OCR in the background with its progress shown, cached by the file's
hash, and previewed with every measure marked for review and the page picture beside it.

The OCR engine (RapidOCR) is the edge replaced here: it takes seconds a page, and the importer's
own tests run it for real (luoshi/importing/tests/test_ocr.py). What it "reads" is one page of a
plan's table, boxes and ruled lines as the engine reports them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from luoshi.audit.models import AuditRecord
from luoshi.importing import ocr
from luoshi.orgs.models import Organization
from luoshi.plans.models import ImportDraft, ScanReading
from luoshi.testing import make_user

# The worker (db_worker) runs the task as in production: it needs committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def upload(client, name: str, data: bytes):
    return client.post(reverse("plans:import_upload"), {"file": SimpleUploadedFile(name, data)})


def _box(x0, top, x1, text):
    return [x0, top, x1, top + 36, text, 1.0]


TABLE = ocr.PageReading(
    width=1654,
    height=2339,
    horizontal=[[300, 200, 1400], [360, 200, 1400], [600, 600, 1400], [900, 200, 1400]],
    vertical=[[200, 300, 900], [600, 300, 900], [1000, 300, 900], [1400, 300, 900]],
    boxes=[
        _box(700, 150, 1100, "关于促进绿色消费的分工方案"),
        _box(210, 310, 354, "重点任务"),
        _box(610, 310, 754, "推进措施"),
        _box(1010, 310, 1154, "责任部门"),
        _box(210, 370, 498, "一、加快提升"),
        _box(610, 370, 916, "1、推广绿色产品。"),
        # OCR dropped the space between the names; 枣庄银保监分局 (in the directory) opens
        # without 市.
        _box(1010, 370, 1390, "市商务局枣庄银保监分局"),
        _box(610, 610, 916, "2、建设回收网络。"),
        _box(1010, 610, 1154, "市民政局"),
    ],
)


@pytest.fixture
def engine(monkeypatch):
    """The OCR engine replaced: it 'reads' TABLE on the first page, nothing on the others, and
    counts its runs."""
    runs = []

    def recognise(data, progress=None):
        total = ocr.page_count(data)
        runs.append(total)
        for done in range(1, total + 1):
            progress(done, total)
        return [TABLE] + [ocr.PageReading(width=1654, height=2339)] * (total - 1)

    monkeypatch.setattr(ocr, "recognise", recognise)
    return runs


def scan(pages=2) -> bytes:
    """A two-page TIFF, as a scanner saves one."""
    frames = [Image.new("RGB", (827, 1169), "white") for _ in range(pages)]
    output = io.BytesIO()
    frames[0].save(output, format="TIFF", save_all=True, append_images=frames[1:])
    return output.getvalue()


def work_queue():
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)


def test_a_scan_is_read_in_the_background_and_every_measure_is_to_review(
    client_for, office, engine
):
    client = client_for(office)
    response = upload(client, "扫描件.tif", scan())
    draft = ImportDraft.objects.get()
    assert response.status_code == 302
    assert draft.scan_state == "queued" and draft.data == {}
    # While it waits, the page says so and polls itself.
    url = reverse("plans:import_preview", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "正在识别" in page and 'hx-trigger="every 2s"' in page
    poll = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in poll and 'id="scan-progress"' in poll.content.decode()
    assert "扫描件.tif" in client.get(reverse("plans:import_upload")).content.decode()
    assert AuditRecord.objects.filter(action="upload").count() == 1

    work_queue()
    draft.refresh_from_db()
    assert (draft.scan_state, draft.scan_done, draft.scan_pages) == ("read", 2, 2)
    (task,) = draft.data["tasks"]
    assert task["title"] == "加快提升"
    first, second = task["measures"]
    assert [d["name"] for d in first["departments"]] == ["市商务局", "枣庄银保监分局"]
    assert [d["name"] for d in second["departments"]] == ["市民政局"]
    assert first["needs_review"] and second["needs_review"]
    assert first["ocr_page"] == 0
    # The htmx poll now reloads the page, which shows the preview with the pages beside it.
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    page = client.get(url).content.decode()
    assert page.count("OCR 识别") == 2 and "扫描件第 2 页" in page
    picture = client.get(reverse("plans:import_page", args=[draft.pk, 2]))
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).size[0] > 0
    assert client.get(reverse("plans:import_page", args=[draft.pk, 3])).status_code == 404
    assert client.get(reverse("plans:import_page", args=[draft.pk, 0])).status_code == 404


def test_the_same_scan_is_read_once(client_for, office, engine):
    client = client_for(office)
    upload(client, "扫描件.tif", scan())
    work_queue()
    first = ImportDraft.objects.get()
    client.post(reverse("plans:import_cancel", args=[first.pk]))
    upload(client, "又一次.tif", scan())
    work_queue()
    again = ImportDraft.objects.get(status="draft")
    assert again.scan_state == "read" and again.data["tasks"]
    assert engine == [2] and ScanReading.objects.count() == 1
    # Run twice (a lost worker), the task reads nothing again.
    from luoshi.plans.services import read_scan_of_draft

    assert read_scan_of_draft(again.pk) == "skipped"


def test_a_scan_with_no_plan_in_it_says_why(client_for, office, monkeypatch):
    blank = ocr.PageReading(width=1654, height=2339)
    monkeypatch.setattr(ocr, "recognise", lambda data, progress=None: [blank])
    client = client_for(office)
    upload(client, "空白.png", _png())
    work_queue()
    draft = ImportDraft.objects.get()
    assert draft.scan_state == "failed" and draft.scan_error
    url = reverse("plans:import_preview", args=[draft.pk])
    page = client.get(url).content.decode()
    assert draft.scan_error in page and "every 2s" not in page
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    # Nothing can be edited or confirmed on it.
    edit = {"op": "set_text", "version": draft.version, "t": 0, "m": 0, "text": "x"}
    client.post(reverse("plans:import_edit", args=[draft.pk]), edit)
    draft.refresh_from_db()
    assert draft.version == 1


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (827, 1169), "white").save(output, format="PNG")
    return output.getvalue()


def test_page_pictures_are_only_for_the_coordinator_of_the_draft(client_for, office, engine):
    from luoshi.orgs.services import get_or_create_region

    upload(client_for(office), "扫描件.tif", scan())
    draft = ImportDraft.objects.get()
    url = reverse("plans:import_page", args=[draft.pk, 1])
    other = get_or_create_region("临沂市")
    linyi = Organization.objects.create(parent=other, kind="department", name="市发展改革委")
    assert client_for(make_user("linyi", "coordinator", linyi)).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assert client_for(office).post(url).status_code == 405


def test_the_reading_page_query_count(client_for, office, engine, django_assert_num_queries):
    client = client_for(office)
    upload(client, "扫描件.tif", scan())
    draft = ImportDraft.objects.get()
    # session, the user with its unit (lib.auth.UserBackend), the draft.
    with django_assert_num_queries(3):
        assert client.get(reverse("plans:import_preview", args=[draft.pk])).status_code == 200


def test_an_engine_that_breaks_leaves_a_message_not_a_draft_read_forever(
    client_for, office, monkeypatch
):
    def broken(data, progress=None):
        raise RuntimeError("onnxruntime ran out of memory")

    monkeypatch.setattr(ocr, "recognise", broken)
    client = client_for(office)
    upload(client, "扫描件.png", _png())
    work_queue()
    draft = ImportDraft.objects.get()
    assert draft.scan_state == "failed"
    page = client.get(reverse("plans:import_preview", args=[draft.pk])).content.decode()
    assert "扫描件识别失败" in page
