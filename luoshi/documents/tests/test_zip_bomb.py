"""A zip bomb sent as the Word template is refused from the zip directory, in little memory."""

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.testing import swollen_zip

pytestmark = pytest.mark.django_db


def test_a_template_swollen_to_300_mb_is_refused_without_inflating_it(
    client_for, commerce_reporter, commerce_december
):
    client = client_for(commerce_reporter)
    template = client.get(reverse("documents:template_docx", args=[commerce_december.pk]))
    bomb = swollen_zip(template.content, "word/document.xml", megabytes=300)
    assert len(bomb) < 2 * 1024 * 1024

    tracemalloc.start()
    try:
        response = client.post(
            reverse("documents:template", args=[commerce_december.pk]),
            {"file": SimpleUploadedFile("报告.docx", bomb)},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 400
    assert "文件解压后超过 200 MB" in response.content.decode()
    assert peak < 50 * 1024 * 1024
