"""`manage.py import_plan FILE [--dry-run --format json]`."""

import json

import pytest
from django.core.management import CommandError, call_command

from luoshi.plans.models import Plan
from luoshi.plans.seed import SEED


def run(*args) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_plan", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def test_dry_run_prints_the_json_contract_and_writes_nothing(db):
    data = json.loads(run(SEED, "--dry-run", "--format", "json"))
    assert data["doc_number"] == "枣发改经贸〔2022〕243号"
    assert data["report_to"] == "市发展改革委"
    assert data["reporting"]["frequency"] == "monthly"
    assert data["reporting"]["due_day"] == 28
    assert len(data["tasks"]) == 18
    assert sum(len(t["measures"]) for t in data["tasks"]) == 77
    assert not Plan.objects.exists()


def test_import_creates_the_plan(region):
    out = run(SEED)
    assert "18" in out and "77" in out
    assert Plan.objects.get().doc_number == "枣发改经贸〔2022〕243号"


def test_a_gbk_encoded_document_imports_the_same(region, tmp_path):
    gbk = tmp_path / "plan-gbk.txt"
    gbk.write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    assert json.loads(run(gbk, "--dry-run", "--format", "json")) == json.loads(
        run(SEED, "--dry-run", "--format", "json")
    )


def test_importing_twice_says_so_in_chinese(region):
    run(SEED)
    with pytest.raises(CommandError, match="已导入"):
        run(SEED)
    assert Plan.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.doc", b"\xd0\xcf\x11\xe0", "支持的文件类型"),
        ("binary.txt", bytes(range(256)) * 4, "编码"),
        ("empty.txt", b"", "文件是空的"),
        ("unrelated.txt", "今天天气很好。".encode(), "没有找到分工表"),
    ],
)
def test_bad_files_get_a_clear_chinese_message(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path, "--dry-run")


def test_a_missing_file_is_named(db, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run(tmp_path / "nope.txt")
