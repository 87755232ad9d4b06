"""The import page takes OFD files and old Word, WPS and Excel files beside .docx, .pdf, .xlsx."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.plans.models import ImportDraft
from luoshi.plans.seed import SEED
from luoshi.testing import convert, docx_from_text, ofd_from_text, ole_file


def upload(client, name, data):
    return client.post(reverse("plans:import_upload"), {"file": SimpleUploadedFile(name, data)})


def test_the_upload_page_lists_the_new_formats(client_for, office):
    html = client_for(office).get(reverse("plans:import_upload")).content.decode()
    accepted = ".docx,.doc,.wps,.pdf,.ofd,.xlsx,.xls,.et,.txt,.png,.jpg,.jpeg,.tif,.tiff"
    assert f'accept="{accepted}"' in html
    assert "Word 或 WPS（.docx、.doc、.wps）" in html
    assert "OFD（.ofd）" in html
    assert "Excel 或 WPS 表格（.xlsx、.xls、.et）" in html
    assert "扫描图片（.png、.jpg、.tif）" in html


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("方案.ofd", ofd_from_text),
        ("方案.doc", lambda text: convert(docx_from_text(text), "docx", "doc")),
    ],
    ids=["ofd", "doc"],
)
def test_the_seed_as_ofd_or_doc_makes_the_same_draft(client_for, office, name, make):
    response = upload(client_for(office), name, make(SEED.read_text(encoding="utf-8")))
    assert response.status_code == 302
    draft = ImportDraft.objects.get()
    assert draft.original_name == name
    assert draft.data["doc_number"] == "枣发改经贸〔2022〕243号"
    assert len(draft.data["tasks"]) == 18
    assert sum(len(t["measures"]) for t in draft.data["tasks"]) == 77


def test_an_old_word_file_without_libreoffice_gets_a_chinese_message(
    client_for, office, monkeypatch, tmp_path
):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on the server
    doc = ole_file({"WordDocument": b"\xec\xa5\xc1\x00"})
    response = upload(client_for(office), "方案.doc", doc)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert "服务器未安装 LibreOffice" in error and "另存为 .docx" in error
    assert not ImportDraft.objects.exists()
