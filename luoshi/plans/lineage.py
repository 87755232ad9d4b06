"""Lineage: which plans of the deployment a plan implements, and which of their key tasks and
measures each of its own carries out.

The parent plans are the documents the plan cites (`parent_documents`, by 文号) that are plans
here. Each key task and measure is proposed the most similar key task / measure of those plans
(docs/decisions.md, "Lineage"): text compared as sets of character bigrams with rapidfuzz's
token_set_ratio, a proposal kept from SIMILARITY_THRESHOLD up. A measure's candidates are the
measures under its key task's parent first; the whole parent plans only when that task has no
parent or none of its measures is close enough.

In an import draft the coordinator's choices are kept under `data["lineage"]`:
`{"tasks": {"<t>": pk or 0}, "measures": {"<t>-<m>": pk or 0}}` (0: not linked on purpose);
a position without a choice takes the proposal.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Prefetch, Q
from rapidfuzz import fuzz

from luoshi.plans.models import KeyTask, Measure, Plan

SIMILARITY_THRESHOLD = 60
NOT_TEXT = re.compile(r"[^\w]|_")
SERIAL = re.compile(r"(\d+)号$")
BRACKETS = str.maketrans(
    {"[": "〔", "［": "〔", "【": "〔", "(": "〔", "（": "〔"}
    | {"]": "〕", "］": "〕", "】": "〕", ")": "〕", "）": "〕"}
)


def normalize_doc_number(number: str) -> str:
    """鲁发改经贸[2022] 518号, 【2022】, （2022） → 鲁发改经贸〔2022〕518号."""
    return re.sub(r"\s+", "", number).translate(BRACKETS)


def similarity(a: str, b: str) -> int:
    """0–100: how much of the shorter text's wording the other shares (its character bigrams,
    punctuation left out)."""
    return round(fuzz.token_set_ratio(_bigrams(a), _bigrams(b)))


@lru_cache(maxsize=4096)
def _bigrams(text: str) -> str:
    text = NOT_TEXT.sub("", text)
    return " ".join(sorted({text[i : i + 2] for i in range(len(text) - 1)}))


def parent_plans(doc_numbers: list[str], *, exclude: Plan | None = None) -> list[Plan]:
    """The plans of the deployment whose 文号 is one of `doc_numbers`, in the order cited."""
    wanted = [normalize_doc_number(n) for n in doc_numbers]
    if not wanted:
        return []
    # Narrowed in SQL by the serial number (518 of …518号), compared in full once normalised.
    serials = Q()
    for number in wanted:
        serial = SERIAL.search(number)
        serials |= Q(doc_number__contains=serial.group(1) if serial else number)
    found = {}
    for plan in Plan.objects.filter(serials).only("pk", "doc_number", "title", "region"):
        number = normalize_doc_number(plan.doc_number)
        if number in wanted and (exclude is None or plan.pk != exclude.pk):
            found.setdefault(number, plan)
    return [found[n] for n in wanted if n in found]


@dataclass
class Candidates:
    """The key tasks of the parent plans, with their measures: what a proposal is taken from."""

    tasks: list[KeyTask]

    @classmethod
    def of(cls, plans: list[Plan]) -> "Candidates":
        tasks = (
            KeyTask.objects.filter(plan__in=plans)
            .select_related("plan")
            .prefetch_related(Prefetch("measures", Measure.objects.order_by("no")))
            .order_by("plan_id", "no")
        )
        order = {plan.pk: i for i, plan in enumerate(plans)}
        return cls(sorted(tasks, key=lambda task: (order[task.plan_id], task.no)))

    @property
    def task_by_pk(self) -> dict[int, KeyTask]:
        return {task.pk: task for task in self.tasks}

    @property
    def measure_by_pk(self) -> dict[int, Measure]:
        return {m.pk: m for task in self.tasks for m in task.measures.all()}

    def best_task(self, title: str, measure_texts: list[str]) -> tuple[KeyTask | None, int]:
        return _best_of(self.tasks, title + "".join(measure_texts), title_and_measures)

    def best_measure(self, text: str, task: KeyTask | None) -> tuple[Measure | None, int]:
        if task is not None:
            measure, score = _best_of(list(task.measures.all()), text, lambda m: m.text)
            if measure is not None:
                return measure, score
        every = [m for t in self.tasks for m in t.measures.all()]
        return _best_of(every, text, lambda m: m.text)


def title_and_measures(task: KeyTask) -> str:
    return task.title + "".join(m.text for m in task.measures.all())


def _best_of(items, text: str, text_of) -> tuple:
    """The item most similar to `text`, if it reaches the threshold, and its score."""
    best, best_score = None, 0
    for item in items:
        score = similarity(text, text_of(item))
        if score > best_score:
            best, best_score = item, score
    return (best, best_score) if best_score >= SIMILARITY_THRESHOLD else (None, best_score)


@dataclass
class Link:
    """One key task's or measure's parent in a draft: the proposal, and what is chosen."""

    proposed: KeyTask | Measure | None
    score: int
    chosen: KeyTask | Measure | None
    decided: bool  # the coordinator chose (or unlinked) it

    @property
    def chosen_doc(self) -> str:
        task = self.chosen if isinstance(self.chosen, KeyTask) else self.chosen.key_task
        return task.plan.doc_number

    @property
    def chosen_code(self) -> str:
        if isinstance(self.chosen, KeyTask):
            return f"{self.chosen.label}{self.chosen.title}"
        return self.chosen.code


def draft_lineage(data: dict, candidates: Candidates) -> dict:
    """For every key task (by `t`) and measure (by `(t, m)`) of a draft, its Link."""
    choices = data.get("lineage", {})
    task_choices, measure_choices = choices.get("tasks", {}), choices.get("measures", {})
    tasks, measures = candidates.task_by_pk, candidates.measure_by_pk
    links = {}
    for t, task in enumerate(data["tasks"]):
        texts = [m["text"] for m in task["measures"]]
        proposed, score = candidates.best_task(task["title"], texts)
        link = _link(proposed, score, task_choices.get(str(t)), tasks)
        links[t] = link
        for m, measure in enumerate(task["measures"]):
            proposed, score = candidates.best_measure(measure["text"], link.chosen)
            links[t, m] = _link(proposed, score, measure_choices.get(f"{t}-{m}"), measures)
    return links


def _link(proposed, score: int, choice: int | None, known: dict) -> Link:
    if choice is None:
        return Link(proposed, score, proposed, False)
    return Link(proposed, score, known.get(choice), True)
