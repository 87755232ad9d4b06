"""A coordinator uploads a plan document, corrects it in the preview and puts it live."""

import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.orgs.models import Organization
from luoshi.plans.models import ImportDraft, Plan, Target
from luoshi.plans.seed import SEED
from luoshi.testing import department, make_user


def upload(client, name=SEED.name, data=None):
    data = SEED.read_bytes() if data is None else data
    return client.post(reverse("plans:import_upload"), {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def draft(client_for, office) -> ImportDraft:
    response = upload(client_for(office))
    assert response.status_code == 302
    return ImportDraft.objects.get()


def find(draft: ImportDraft, code: str) -> tuple[int, int]:
    """The (t, m) position of measure 四.2 in the draft."""
    task_label, no = code.split(".")
    for t, task in enumerate(draft.data["tasks"]):
        if task["label"] == f"{task_label}、":
            return t, int(no) - 1
    raise AssertionError(code)


def edit(client, draft, op, version=None, **fields):
    """POST one edit; by default as the latest version of the draft."""
    if version is None:
        draft.refresh_from_db()
        version = draft.version
    data = {"op": op, "version": version, **fields}
    return client.post(reverse("plans:import_edit", args=[draft.pk]), data)


def measure_of(draft, code):
    draft.refresh_from_db()
    t, m = find(draft, code)
    return draft.data["tasks"][t]["measures"][m]


def names(measure):
    return [(d["name"], d["role"]) for d in measure["departments"]]


def placeholder_positions(draft):
    return [
        (t, m, i)
        for t, task in enumerate(draft.data["tasks"])
        for m, measure in enumerate(task["measures"])
        for i, dep in enumerate(measure["departments"])
        if dep["kind"] == "placeholder"
    ]


# --- Upload ----------------------------------------------------------------------------------


def test_uploading_the_seed_makes_a_draft_and_shows_its_preview(client_for, office):
    client = client_for(office)
    response = upload(client)
    draft = ImportDraft.objects.get()
    assert response["Location"] == reverse("plans:import_preview", args=[draft.pk])
    assert draft.original_name == SEED.name
    assert draft.size == len(SEED.read_bytes())
    assert draft.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert draft.region.name == "枣庄市"
    assert draft.data["doc_number"] == "枣发改经贸〔2022〕243号"
    assert sum(len(t["measures"]) for t in draft.data["tasks"]) == 77
    # The file is stored under a server-made name, not the uploader's.
    assert SEED.stem not in draft.file.name and draft.file.name.startswith("imports/")
    with draft.file.open("rb") as stored:
        assert stored.read() == SEED.read_bytes()
    assert not Plan.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "促进绿色消费重点任务贯彻落实分工方案" in page
    assert "市有关部门" in page
    assert AuditRecord.objects.filter(action="upload", object_id=str(draft.pk)).exists()


def test_uploading_the_same_file_twice_keeps_one_draft(client_for, office):
    client = client_for(office)
    first, second = upload(client), upload(client)
    assert first["Location"] == second["Location"]
    assert ImportDraft.objects.count() == 1
    assert len(os.listdir(ImportDraft.objects.get().file.storage.path("imports"))) == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "空文件"),
        ("random.docx", os.urandom(2048), None),
        ("notes.txt", "会议纪要\n今天天气很好。".encode(), None),
    ],
)
def test_a_bad_file_gets_a_chinese_message_and_nothing_is_kept(
    client_for, office, settings, name, data, message
):
    organizations = Organization.objects.count()
    response = upload(client_for(office), name, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors and all(any("\u4e00" <= c <= "\u9fff" for c in e) for e in errors)
    if message:
        assert message in errors[0]
    assert not ImportDraft.objects.exists()
    assert Organization.objects.count() == organizations
    uploads = settings.MEDIA_ROOT
    assert not uploads.exists() or not any(uploads.rglob("*.*"))


def test_a_plan_already_imported_is_refused_with_a_clear_message(
    client_for, seed_plan, coordinator
):
    response = upload(client_for(coordinator))
    assert response.status_code == 200
    assert "已经导入" in response.context["form"].errors["file"][0]
    assert not ImportDraft.objects.exists()


# --- Who may import --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["commerce_reporter", "leader"])
def test_others_cannot_upload_or_open_a_draft(request, client_for, draft, persona):
    client = client_for(request.getfixturevalue(persona))
    assert upload(client).status_code == 403
    assert client.get(reverse("plans:import_preview", args=[draft.pk])).status_code == 403
    assert edit(client, draft, "set_text", t=0, m=0, text="x").status_code == 403
    assert client.post(reverse("reporting:go_live", args=[draft.pk])).status_code == 403
    assert client.post(reverse("plans:import_cancel", args=[draft.pk])).status_code == 403
    assert ImportDraft.objects.get().version == 1


def test_an_anonymous_user_is_sent_to_log_in(client_for, draft):
    client = client_for(None)
    response = client.get(reverse("plans:import_preview", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert upload(client).status_code == 302
    assert ImportDraft.objects.count() == 1


def test_a_coordinator_of_another_region_gets_404(client_for, draft):
    from luoshi.orgs.services import get_or_create_region

    other = get_or_create_region("临沂市")
    office = Organization.objects.create(parent=other, kind="department", name="市发展改革委")
    client = client_for(make_user("linyi", "coordinator", office))
    assert client.get(reverse("plans:import_preview", args=[draft.pk])).status_code == 404
    assert edit(client, draft, "set_text", t=0, m=0, text="x").status_code == 404
    assert client.post(reverse("plans:import_cancel", args=[draft.pk])).status_code == 404


def test_the_preview_refuses_the_wrong_method(client_for, office, draft):
    client = client_for(office)
    assert client.post(reverse("plans:import_preview", args=[draft.pk])).status_code == 405
    assert client.get(reverse("plans:import_edit", args=[draft.pk])).status_code == 405
    assert client.get(reverse("reporting:go_live", args=[draft.pk])).status_code == 405


# --- Edits -----------------------------------------------------------------------------------


def test_changing_a_role_bumps_the_version_and_is_audited(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "五.4")
    assert names(measure_of(draft, "五.4")) == [("市商务局", None), ("市邮政管理局", None)]
    response = edit(client, draft, "set_role", t=t, m=m, i=0, role="lead")
    assert response.status_code == 302 and response["Location"].endswith(f"#m-{t}-{m}")
    assert names(measure_of(draft, "五.4"))[0] == ("市商务局", "lead")
    assert draft.version == 2
    record = AuditRecord.objects.get(action="change", object_id=str(draft.pk))
    assert record.changes["version"] == {"old": 1, "new": 2}
    assert record.changes["edit"]["new"]["op"] == "set_role"


def test_a_stale_version_gets_a_conflict_message_and_changes_nothing(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "五.4")
    edit(client, draft, "set_role", t=t, m=m, i=0, role="lead")
    before = ImportDraft.objects.get().data
    # The second tab still shows version 1.
    response = edit(client, draft, "remove_department", version=1, t=t, m=m, i=1)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已被他人修改" in page or "其他标签页" in page
    after = ImportDraft.objects.get()
    assert after.data == before and after.version == 2


def test_adding_removing_and_the_directory_kind(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "一.1")
    edit(client, draft, "add_department", t=t, m=m, name="市财政局", role="co")
    assert ("市财政局", "co") in names(measure_of(draft, "一.1"))
    edit(client, draft, "add_department", t=t, m=m, name="市财政局", role="co")
    assert names(measure_of(draft, "一.1")).count(("市财政局", "co")) == 1  # refused twice
    i = names(measure_of(draft, "一.1")).index(("市财政局", "co"))
    edit(client, draft, "remove_department", t=t, m=m, i=i)
    assert ("市财政局", "co") not in names(measure_of(draft, "一.1"))


def test_an_unknown_name_is_flagged_then_mapped_and_remembered(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "一.1")
    edit(client, draft, "add_department", t=t, m=m, name="枣庄市财政局办公室", role="co")
    page = client.get(reverse("plans:import_preview", args=[draft.pk])).content.decode()
    assert "未识别" in page and "枣庄市财政局办公室" in page
    draft.refresh_from_db()
    edit(client, draft, "map_name", name="枣庄市财政局办公室", target="市财政局", remember="on")
    assert ("市财政局", "co") in names(measure_of(draft, "一.1"))
    assert draft.data["aliases"] == {"枣庄市财政局办公室": "市财政局"}
    # The directory learns the alias only when the plan is confirmed.
    assert "枣庄市财政局办公室" not in department("市财政局").aliases


def test_an_unknown_name_can_be_created_as_a_new_department(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "一.1")
    edit(client, draft, "add_department", t=t, m=m, name="市数据局", role="co")
    draft.refresh_from_db()
    edit(client, draft, "create_name", name="市数据局")
    draft.refresh_from_db()
    assert draft.data["new_departments"] == ["市数据局"]
    assert not Organization.objects.filter(name="市数据局").exists()


def test_a_placeholder_is_kept_or_replaced(client_for, office, draft):
    client = client_for(office)
    [(t, m, i)] = placeholder_positions(draft)
    page = client.get(reverse("plans:import_preview", args=[draft.pk])).content.decode()
    assert "泛指单位" in page
    edit(client, draft, "keep_placeholder", t=t, m=m, i=i)
    draft.refresh_from_db()
    assert draft.data["tasks"][t]["measures"][m]["departments"][i]["kept"] is True


def test_a_collective_is_expanded_into_its_members(client_for, office, draft, region):
    from luoshi.orgs.services import create_organization, set_members

    collective = create_organization(office, region, kind="collective", name="各区（市）政府")
    members = [
        create_organization(office, region, kind="department", name=name)
        for name in ["市中区政府", "薛城区政府"]
    ]
    set_members(office, collective, members)
    client = client_for(office)
    t, m = find(draft, "一.1")
    edit(client, draft, "add_department", t=t, m=m, name="各区（市）政府", role="co")
    measure = measure_of(draft, "一.1")
    assert measure["departments"][-1]["kind"] == "collective"
    i = len(measure["departments"]) - 1
    edit(client, draft, "expand_collective", t=t, m=m, i=i)
    assert names(measure_of(draft, "一.1"))[-2:] == [("市中区政府", "co"), ("薛城区政府", "co")]


def test_targets_are_accepted_edited_and_deleted(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "十.2")
    targets = measure_of(draft, "十.2")["targets"]
    assert [(x["comparator"], x["value"], x["unit"]) for x in targets] == [
        (">=", 300, "组"),
        (">=", 100, "个"),
    ]
    edit(client, draft, "accept_target", t=t, m=m, i=0)
    edit(
        client,
        draft,
        "edit_target",
        t=t,
        m=m,
        i=1,
        comparator=">",
        value="120",
        unit="个",
        deadline="2024-12-31",
    )
    targets = measure_of(draft, "十.2")["targets"]
    assert targets[0]["accepted"] is True
    assert targets[1] | {} == {**targets[1], "comparator": ">", "value": 120}
    assert targets[1]["deadline"] == "2024-12-31" and targets[1]["accepted"] is True
    edit(client, draft, "delete_target", t=t, m=m, i=0)
    assert [x["value"] for x in measure_of(draft, "十.2")["targets"]] == [120]


def test_merge_split_and_move_a_sentence(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "五.3")
    third, fourth = measure_of(draft, "五.3"), measure_of(draft, "五.4")
    count = len(draft.data["tasks"][t]["measures"])
    edit(client, draft, "merge_with_next", t=t, m=m)
    merged = measure_of(draft, "五.3")
    assert merged["text"] == third["text"] + "\n" + fourth["text"]
    assert merged["needs_review"]
    assert len(draft.data["tasks"][t]["measures"]) == count - 1
    edit(client, draft, "split_at_paragraph", t=t, m=m)
    assert measure_of(draft, "五.3")["text"] == third["text"]
    assert measure_of(draft, "五.4")["text"] == fourth["text"]
    assert measure_of(draft, "五.4")["label"] == fourth["label"]
    edit(client, draft, "split", t=t, m=m, position=10)
    assert measure_of(draft, "五.3")["text"] == third["text"][:10]
    assert measure_of(draft, "五.4")["text"] == third["text"][10:]
    assert measure_of(draft, "五.5")["text"] == fourth["text"]
    assert len(draft.data["tasks"][t]["measures"]) == count + 1


def test_the_last_sentence_moves_to_the_next_measure(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "一.1")
    edit(client, draft, "set_text", t=t, m=m, text="第一句。第二句。")
    edit(client, draft, "move_last_sentence", t=t, m=m)
    first, second = measure_of(draft, "一.1"), measure_of(draft, "一.2")
    assert first["text"] == "第一句。"
    assert second["text"].startswith("第二句。")


def test_an_impossible_edit_shows_a_message(client_for, office, draft):
    client = client_for(office)
    t = len(draft.data["tasks"]) - 1
    m = len(draft.data["tasks"][t]["measures"]) - 1
    response = edit(client, draft, "merge_with_next", t=t, m=m)
    page = client.get(response["Location"]).content.decode()
    assert "最后一项" in page
    assert ImportDraft.objects.get().version == 1


def test_the_header_is_edited(client_for, office, draft):
    client = client_for(office)
    edit(
        client,
        draft,
        "set_header",
        title="新的标题",
        doc_number="枣发改经贸〔2022〕999号",
        issue_date="2022-10-01",
        issuers="枣庄市发展和改革委员会",
        report_to="市发展改革委",
        frequency="quarterly",
        due_day="5",
        due_offset_months="1",
        rule_text="每季度结束后5日内报送",
    )
    draft.refresh_from_db()
    assert draft.data["title"] == "新的标题"
    assert draft.data["issuers"] == ["枣庄市发展和改革委员会"]
    assert draft.data["reporting"]["frequency"] == "quarterly"
    assert draft.data["reporting"]["due_offset_months"] == 1


# --- Confirm and cancel ----------------------------------------------------------------------


def resolve_placeholders(client, draft):
    for t, m, i in placeholder_positions(draft):
        edit(client, draft, "keep_placeholder", t=t, m=m, i=i)
        draft.refresh_from_db()


def confirm(client, draft):
    draft.refresh_from_db()
    return client.post(
        reverse("reporting:go_live", args=[draft.pk]),
        {"version": draft.version, "tracking_start": "2026-12"},
    )


def test_confirm_is_refused_while_a_placeholder_is_unresolved(client_for, office, draft):
    client = client_for(office)
    response = confirm(client, draft)
    assert response["Location"] == reverse("plans:import_preview", args=[draft.pk])
    assert "市有关部门" in client.get(response["Location"]).content.decode()
    assert not Plan.objects.exists()


def test_confirm_creates_the_plan_with_the_corrections(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "五.4")
    edit(client, draft, "set_role", t=t, m=m, i=0, role="lead")
    draft.refresh_from_db()
    edit(client, draft, "add_department", t=t, m=m, name="商务部门", role="co")
    draft.refresh_from_db()
    edit(client, draft, "map_name", name="商务部门", target="市财政局", remember="on")
    draft.refresh_from_db()
    edit(client, draft, "add_department", t=t, m=m, name="市数据局", role="co")
    draft.refresh_from_db()
    edit(client, draft, "create_name", name="市数据局")
    t2, m2 = find(draft, "十.2")
    draft.refresh_from_db()
    edit(client, draft, "accept_target", t=t2, m=m2, i=1)
    resolve_placeholders(client, draft)
    organizations = Organization.objects.count()

    response = confirm(client, draft)
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    measure = plan.key_tasks.get(label="五、").measures.get(no=4)
    assert [(a.organization.name, a.role) for a in measure.assignments.all()] == [
        ("市商务局", "lead"),
        ("市邮政管理局", "unknown"),
        ("市财政局", "co"),
        ("市数据局", "co"),
    ]
    assert Organization.objects.count() == organizations + 2  # 市数据局 and 市有关部门
    assert "商务部门" in department("市财政局").aliases
    confirmed = Target.objects.filter(measure__key_task__plan=plan, confirmed=True)
    assert [(t.measure.code, t.value_display) for t in confirmed] == [("十、2.", "100")]
    draft.refresh_from_db()
    assert draft.status == "confirmed" and draft.plan == plan
    assert "上线" in client.get(response["Location"]).content.decode()
    # A late second click lands on the same plan.
    again = client.post(reverse("reporting:go_live", args=[draft.pk]), {"version": 1})
    assert again["Location"] == response["Location"]
    assert Plan.objects.count() == 1


def test_cancel_leaves_nothing_but_its_audit_record(
    client_for, office, draft, django_capture_on_commit_callbacks
):
    client = client_for(office)
    organizations = Organization.objects.count()
    t, m = find(draft, "一.1")
    edit(client, draft, "add_department", t=t, m=m, name="市数据局", role="co")
    draft.refresh_from_db()
    edit(client, draft, "create_name", name="市数据局")
    path = draft.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:import_cancel", args=[draft.pk]))
    assert response["Location"] == reverse("plans:import_upload")
    assert not ImportDraft.objects.exists() and not Plan.objects.exists()
    assert Organization.objects.count() == organizations
    assert not os.path.exists(path)
    assert AuditRecord.objects.filter(action="cancel", object_id=str(draft.pk)).exists()


# --- The original file -----------------------------------------------------------------------


@pytest.fixture
def imported(client_for, office, draft):
    client = client_for(office)
    resolve_placeholders(client, draft)
    confirm(client, draft)
    return Plan.objects.get()


def download(client, plan):
    response = client.get(reverse("plans:source_file", args=[plan.pk]))
    # Reading the stream to its end lets the test client close the file; response.close() would
    # also close the test's database connection.
    content = b"".join(response.streaming_content) if response.status_code == 200 else None
    return response, content


def test_the_original_file_downloads_for_those_who_may_read_the_plan(client_for, office, imported):
    page = client_for(office).get(reverse("plans:detail", args=[imported.pk])).content.decode()
    assert reverse("plans:source_file", args=[imported.pk]) in page
    response, content = download(client_for(office), imported)
    assert response["Content-Disposition"].startswith("attachment")
    assert f'filename="{SEED.name}"' in response["Content-Disposition"]
    assert content == SEED.read_bytes()
    commerce = make_user("commerce_reporter", "reporter", department("市商务局"))
    assert download(client_for(commerce), imported)[1] == SEED.read_bytes()
    leader = make_user("leader", "leader", office.organization.parent)
    assert download(client_for(leader), imported)[0].status_code == 200


def test_the_original_file_is_refused_to_those_who_may_not_read_the_plan(
    client_for, office, imported
):
    archive = Organization.objects.create(
        parent=office.organization.parent, kind="department", name="市档案馆"
    )
    assert (
        download(client_for(make_user("archive", "reporter", archive)), imported)[0].status_code
        == 404
    )
    response = download(client_for(None), imported)[0]
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_plan_imported_from_the_command_line_has_no_file(client_for, coordinator, seed_plan):
    url = reverse("plans:source_file", args=[seed_plan.pk])
    assert client_for(coordinator).get(url).status_code == 404


# --- Queries ---------------------------------------------------------------------------------


def test_the_preview_page_query_count_does_not_grow_with_its_measures(
    client_for, office, draft, django_assert_num_queries
):
    client = client_for(office)
    url = reverse("plans:import_preview", args=[draft.pk])
    # 6: with the look-up of the parent documents among the plans (none is here).
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    t, m = find(draft, "五.3")
    for _ in range(3):
        edit(client, draft, "split", t=t, m=m, position=5)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


def test_the_draft_json_reads_back_into_the_same_parsed_plan(db):
    from luoshi.importing.sources import parse_file
    from luoshi.plans.draft_edits import from_dict

    parsed, _text = parse_file(SEED)
    data = parsed.to_dict()
    data["tasks"][0]["measures"][0]["targets"] = [
        {**t, "accepted": True} for t in data["tasks"][0]["measures"][0]["targets"]
    ]
    assert from_dict(parsed.to_dict()) == parsed
    assert from_dict(data) == parsed  # the draft's own keys are ignored


def test_a_measure_is_marked_reviewed_and_back(client_for, office, draft):
    client = client_for(office)
    t, m = find(draft, "五.4")
    assert measure_of(draft, "五.4")["needs_review"]
    edit(client, draft, "set_needs_review", t=t, m=m)
    assert not measure_of(draft, "五.4")["needs_review"]
    edit(client, draft, "set_needs_review", t=t, m=m, needs_review="on")
    assert measure_of(draft, "五.4")["needs_review"]


def test_confirm_is_refused_while_a_name_is_unrecognised(client_for, office, draft):
    client = client_for(office)
    resolve_placeholders(client, draft)
    t, m = find(draft, "一.1")
    edit(client, draft, "add_department", t=t, m=m, name="市数据局", role="co")
    response = confirm(client, draft)
    assert response["Location"] == reverse("plans:import_preview", args=[draft.pk])
    assert (
        "请将未识别的部门对应到已有部门或新建：市数据局"
        in client.get(response["Location"]).content.decode()
    )
    assert not Plan.objects.exists()
    assert not Organization.objects.filter(name="市数据局").exists()


def test_a_plan_reporting_to_another_office_is_refused(client_for, office, draft):
    client = client_for(office)
    resolve_placeholders(client, draft)
    header = {
        "title": draft.data["title"],
        "doc_number": draft.data["doc_number"],
        "issue_date": draft.data["issue_date"],
        "issuers": "\n".join(draft.data["issuers"]),
        "report_to": "市商务局",
        "frequency": "monthly",
        "due_day": "28",
        "due_offset_months": "0",
        "rule_text": "",
    }
    edit(client, draft, "set_header", **header)
    # The preview says who will coordinate; it does not ask to correct the document.
    page = client.get(reverse("plans:import_preview", args=[draft.pk])).content.decode()
    assert "本方案将由市商务局统筹" in page
    assert "更正" not in page
    response = confirm(client, draft)
    page = client.get(response["Location"]).content.decode()
    assert "请由市商务局的统筹人员导入文件并确认上线" in page
    assert "您所在单位（市发展改革委）不能统筹" in page
    assert not Plan.objects.exists()


def test_a_plan_reporting_to_the_importers_office_has_no_coordination_note(
    client_for, office, draft
):
    page = client_for(office).get(reverse("plans:import_preview", args=[draft.pk]))
    assert 'id="coordinator-note"' not in page.content.decode()


NO_LEAD_RULE = """枣庄市发展和改革委员会
枣发改经贸〔2023〕31号
关于印发枣庄市节能降碳重点工作清单的通知
各区（市）发展改革局：
　　现将清单印发给你们，请于每月25日前将进展情况报送市发展改革委。
2023年3月1日
枣庄市节能降碳重点工作清单
序号\t工作任务\t责任单位
1\t推进重点用能单位节能改造。\t市工业和信息化局、市发展改革委
2\t推广新能源公交车100辆。\t市交通运输局
3\t开展节能宣传周活动。\t市有关部门、市机关事务服务中心
"""


def test_a_plan_naming_no_lead_is_offered_the_first_listed_as_lead(client_for, office):
    client = client_for(office)
    upload(client, "清单.txt", NO_LEAD_RULE.encode("gb18030"))
    draft = ImportDraft.objects.get()
    url = reverse("plans:import_preview", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'id="first-is-lead"' in page
    assert "排在第一位的为牵头" in page
    response = edit(client, draft, "first_is_lead")
    assert response["Location"] == url
    draft.refresh_from_db()
    assert [[(d["name"], d["role"]) for d in m["departments"]] for m in draft_measures(draft)] == [
        [("市工业和信息化局", "lead"), ("市发展改革委", None)],
        [("市交通运输局", "lead")],
        # a placeholder never leads: the first unit that is one does
        [("市有关部门", None), ("市机关事务服务中心", "lead")],
    ]
    record = AuditRecord.objects.filter(action="change").latest("pk")
    assert record.changes["edit"]["new"] == {"op": "first_is_lead"}
    # Once the plan names its leads, the offer is gone and a second click changes nothing.
    assert 'id="first-is-lead"' not in client.get(url).content.decode()
    response = edit(client, draft, "first_is_lead")
    assert "每项措施均已标明牵头单位" in client.get(response["Location"]).content.decode()


def test_a_plan_that_names_its_leads_is_not_offered_the_rule(client_for, office, draft):
    page = client_for(office).get(reverse("plans:import_preview", args=[draft.pk]))
    assert 'id="first-is-lead"' not in page.content.decode()


def draft_measures(draft):
    return [m for task in draft.data["tasks"] for m in task["measures"]]
