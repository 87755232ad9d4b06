"""Drafting a key task's paragraph of the brief on the office's own model.

Optional: only when LUOSHI_LLM_BASE_URL names an OpenAI-compatible endpoint (a model the
office runs on its own network). The coordinator asks for a draft, edits it and accepts it;
what goes into the brief is always what a person accepted. Without the setting, or when the
model fails, the rule-based paragraph of luoshi.documents.brief stands.

Protocol: POST {base}/chat/completions with {"model", "messages", "temperature",
"max_tokens"}; the answer's text is choices[0].message.content. A plain HTTP client with a
timeout (urllib), no vendor SDK. The prompt holds the entries of one task only, each cut to
`ENTRY_CHARS` and all to `PROMPT_CHARS`; the answer is refused over `ANSWER_CHARS`. The audit
record keeps the prompt, the answer (both bounded) and, on acceptance, who accepted what.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.audit.services import record_change
from luoshi.documents.models import TaskParagraph
from luoshi.documents.services import ConsolidatedReport
from luoshi.lib import clock
from luoshi.orgs.models import User
from luoshi.plans.access import require_plan_coordinator
from luoshi.plans.models import KeyTask
from luoshi.reporting.models import Period

ENTRY_CHARS = 400
PROMPT_CHARS = 6000
ANSWER_CHARS = 1000
RESPONSE_BYTES = 64 * 1024
AUDIT_CHARS = 2000

SYSTEM = (
    "你是政府机关办公室的文字秘书。请根据各责任部门报送的进展情况，为月度落实情况报告写一段"
    "该项重点任务的进展概述：两到四句，保留具体数字和事实，注明部门，不编造，不超过150字。"
    "只输出这段正文，不要标题、编号或说明。"
)


class DraftError(Exception):
    """The model gave no usable paragraph; the message says why, in the user's language."""


def configured() -> bool:
    return bool(settings.LUOSHI_LLM_BASE_URL)


def prompt_for(report: ConsolidatedReport, task: KeyTask) -> str:
    """The entries of one key task, bounded: what the model is asked to summarise."""
    sections = next((s for t, s in report.tasks if t.pk == task.pk), [])
    head = f"报送期：{report.period.label}\n重点任务：{task.label}{task.title}\n各部门报送情况：\n"
    lines, used, left = [], len(head), 0
    for section in sections:
        for text in section.texts:
            role = f"（{text.role}）" if text.role else ""
            body = text.progress[:ENTRY_CHARS]
            if text.problems:
                body += f" 存在问题：{text.problems[: ENTRY_CHARS // 4]}"
            line = f"- 措施{section.measure.code} {text.name}{role}：{body}"
            if used + len(line) > PROMPT_CHARS:
                left += 1
                continue
            lines.append(line)
            used += len(line) + 1
    if left:
        lines.append(f"（其余{left}条从略）")
    if not lines:
        lines.append("（本期无经审核的进展报告）")
    return head + "\n".join(lines)


def ask_model(prompt: str) -> str:
    """The model's paragraph for `prompt`, or DraftError with a clear message."""
    url = settings.LUOSHI_LLM_BASE_URL.rstrip("/") + "/chat/completions"
    payload = {
        "model": settings.LUOSHI_LLM_MODEL,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
        "temperature": 0.2,
        "max_tokens": ANSWER_CHARS,
    }
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if settings.LUOSHI_LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.LUOSHI_LLM_API_KEY}"
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    seconds = settings.LUOSHI_LLM_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=seconds) as response:
            body = response.read(RESPONSE_BYTES + 1)
    except TimeoutError:
        raise DraftError(
            _("The model did not answer within %(seconds)s seconds.") % {"seconds": seconds}
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise DraftError(
                _("The model did not answer within %(seconds)s seconds.") % {"seconds": seconds}
            ) from None
        raise DraftError(
            _("The model could not be reached: %(error)s") % {"error": reason}
        ) from None
    return _paragraph_of(body)


def _paragraph_of(body: bytes) -> str:
    unusable = DraftError(_("The model's answer is not a usable paragraph."))
    if len(body) > RESPONSE_BYTES:
        raise unusable
    try:
        answer = json.loads(body)
        text = answer["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise unusable from None
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > ANSWER_CHARS:
        raise unusable
    return " ".join(text.split())


@dataclass
class Draft:
    text: str
    record_id: int  # the audit record of the prompt and the answer


def draft_paragraph(user: User, report: ConsolidatedReport, task: KeyTask) -> Draft:
    """Ask the model for `task`'s paragraph; the prompt and the answer (or the failure) are
    audited. Raises DraftError when it gives nothing usable."""
    require_plan_coordinator(user, report.plan)
    prompt = prompt_for(report, task)
    changes = {"model": settings.LUOSHI_LLM_MODEL, "prompt": prompt[:AUDIT_CHARS]}
    try:
        text = ask_model(prompt)
    except DraftError as error:
        record_change(user, "draft paragraph", task, {**changes, "error": str(error)})
        raise
    record = record_change(user, "draft paragraph", task, {**changes, "answer": text[:AUDIT_CHARS]})
    return Draft(text, record.pk)


@transaction.atomic
def accept_paragraph(
    user: User, period: Period, task: KeyTask, text: str, draft: int | None = None
) -> TaskParagraph | None:
    """The coordinator's paragraph for `task` in the period's brief (edited from a model's
    draft, the audit record `draft`, or written); empty text goes back to the rules."""
    require_plan_coordinator(user, period.plan)
    text = text.strip()
    paragraph = (
        TaskParagraph.objects.select_for_update().filter(period=period, key_task=task).first()
    )
    old = paragraph.text if paragraph else None
    if not text:
        if paragraph is not None:
            record_change(user, "accept paragraph", paragraph, {"text": {"old": old, "new": None}})
            paragraph.delete()
        return None
    if paragraph is None:
        paragraph = TaskParagraph(period=period, key_task=task)
    paragraph.text = text
    paragraph.from_model = draft is not None
    paragraph.accepted_by = user
    paragraph.accepted_at = clock.now()
    paragraph.save()
    record_change(
        user,
        "accept paragraph",
        paragraph,
        {"text": {"old": old, "new": text}, "draft": {"old": None, "new": draft}},
    )
    return paragraph
