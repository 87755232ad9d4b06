"""Whatever arrives at a page, a form or the API, the answer is a page or a message, never a 500.

Every URL of the URL conf is requested with the ids of a small data set and a missing id, as
every persona; every form found on those pages is posted hypothesis-made values (control
characters, huge, negative and decimal numbers, impossible dates, full-width digits, very long
text, wrong choices), the query strings the pages read are fuzzed, and every operation of the
API's OpenAPI schema gets arbitrary parameters and JSON bodies with a valid token.

Each request runs in a savepoint rolled back afterwards, so one example's change (a logout, a
deactivated account, a submitted report) does not steer the next, and the examples are
derandomized so that CI sees the same inputs every run. The failures of all endpoints are
collected and reported together, each with its URL, persona and input.
"""

import copy
import datetime
import functools
import json
import operator
import re
import urllib.parse

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from luoshi.lib import clock
from luoshi.testing import HX, PDF, department, measure, month, pdf_upload

FUZZ = settings(
    max_examples=10,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

API_FUZZ = settings(FUZZ, max_examples=25)  # an API call is cheaper than a page

MISSING = 2_000_000_000  # no object has this id

PERSONAS = [
    None,  # anonymous
    "coordinator",
    "commerce_reporter",
    "commerce_head",
    "transport_reporter",
    "leader",
    "system_admin",
    "security_admin",
    "audit_admin",
]

# The query-string parameters the views read from request.GET (beside the fields of the pages'
# GET forms, which are read from the HTML).
QUERY_NAMES = [
    "q",
    "page",
    "date",
    "start",
    "end",
    "from",
    "year",
    "co",
    "next",
    "status",
    "department",
    "period",
]

EDGE_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "1.5",
    "-2.75",
    "1e309",
    "NaN",
    "inf",
    "99999999999999999999999999999",
    "-99999999999999999999999999999",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "２０２６-１１-２０",
    "１２３",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07",
    "\u202egnp.exe",
    "𠀀𪚥",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%s%n%x",
    '=HYPERLINK("http://x")',
    "x" * 20_000,
    "1" * 400,
]

# Integers at the edges of the database's columns, and beyond.
EDGE_INTEGERS = [0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**40]
numbers = st.one_of(st.sampled_from(EDGE_INTEGERS), st.integers())

garbage = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.text(max_size=40),  # any unicode, control characters included
    st.builds(operator.mul, st.text(min_size=1, max_size=4), st.integers(10, 5000)),  # long
    numbers.map(str),
    st.floats().map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
)

json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.floats() | garbage,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)

FILE_NAMES = ["证明.pdf", "x.pdf.bat", "plan.docx", "plan.xlsx", "plan.txt", "a" * 300 + ".pdf"]
uploads = st.builds(
    lambda name, data: SimpleUploadedFile(name, data),
    st.sampled_from(FILE_NAMES),
    st.one_of(st.just(PDF), st.binary(max_size=300)),
)


# LibreOffice takes seconds to render the PDF: it is requested with the first ids only, and its
# query string (report.docx's options, fuzzed on report.docx and the page's form) is not fuzzed.
RENDERED = {"documents:report_pdf"}


# --- The data set -------------------------------------------------------------------------------

PLAN = """某市促进消费工作分工方案
重点任务\t推进措施\t责任部门
一、促进消费\t1. 开展促消费活动。\t市商务局
"""


@pytest.fixture
def people(request, reported):
    """The personas by name, on the day of `reported` (20 November 2026)."""
    return {name: request.getfixturevalue(name) for name in PERSONAS if name is not None}


@pytest.fixture
def ids(people, tracked, reported, target):
    """Path parameter values by the URL segment before them: ids of real objects (the department's
    own and another's) and an id no object has."""
    from luoshi.api.models import ApiToken
    from luoshi.api.services import create_token
    from luoshi.ops.services import beat
    from luoshi.orgs.models import Organization
    from luoshi.plans.delegation import send_down
    from luoshi.plans.services import create_import_draft
    from luoshi.portal.services import publish
    from luoshi.reporting import services
    from luoshi.reporting.models import HolidayNotice, ReportEntry, StockPhrase
    from luoshi.supervision.models import Notice
    from luoshi.supervision.services import issue_notice

    coordinator = people["coordinator"]
    transport = month(tracked, 2026, 11).reports.get(organization=department("市交通运输局"))
    transport_entry = ReportEntry.objects.filter(report=transport).first()
    attachment = services.add_attachment(
        people["transport_reporter"], transport_entry, pdf_upload()
    )
    notice = issue_notice(
        coordinator,
        tracked,
        department("市商务局"),
        colour=Notice.Colour.values[0],
        subject="请加快推进",
        body="请于月底前报送。",
        reply_by=datetime.date(2026, 11, 30),
    )
    publication = publish(coordinator, month(tracked, 2026, 10))
    draft = create_import_draft(coordinator, "方案.txt", PLAN.encode())
    create_token(people["commerce_reporter"], "fuzz")
    closure = services.request_closure(people["commerce_reporter"], measure("十.3"), "已完成。")
    late = services.grant_late_entry(
        coordinator,
        month(tracked, 2026, 10),
        department("市商务局"),
        deadline=clock.today() + datetime.timedelta(days=3),
        reason="系统故障",
    )
    # The background loop has run: /readyz answers 200 (its 503 is for a host that is not ready).
    beat()
    spring = datetime.date(2027, 2, 15)
    services.save_holiday_notices(coordinator, [services.NoticeDay(spring, False, "春节")])
    on_time = reported["on_time"]
    district = Organization.objects.create(
        kind=Organization.Kind.REGION, name="薛城区", parent=tracked.region
    )
    [delegation] = send_down(coordinator, tracked, [district])
    return {
        "plans": [tracked.pk],
        "measures": [measure("十.3").pk],
        "tasks": [measure("十.3").key_task_id],
        "departments": [department("市商务局").pk, department("市交通运输局").pk],
        "import": [draft.pk],
        "imports": [draft.pk],
        "delegations": [delegation.pk],
        "pages": [1, 2],  # a scanned draft's page pictures
        "closures": [closure.pk],
        "decision": ["approve", "reject", "no-such-decision"],
        "late-entries": [late.pk],
        "holidays": [HolidayNotice.objects.get(date=spring).pk],
        "phrases": [StockPhrase.objects.get(text="稳步推进").pk],
        "accounts": [people["commerce_reporter"].pk, coordinator.pk],
        "tokens": list(ApiToken.objects.values_list("pk", flat=True)),
        "reports": [on_time.pk, transport.pk],
        "entries": [ReportEntry.objects.filter(report=on_time).first().pk, transport_entry.pk],
        "attachments": [attachment.pk],
        "periods": [month(tracked, 2026, 10).pk, month(tracked, 2026, 11).pk],
        "notices": [notice.pk],
        "p": [publication.pk],
        "publications": [publication.pk],
        "action": ["start", "submit", "accept", "return", "no-such-step"],
    }


@pytest.fixture
def clients(people):
    """A logged-in client per persona (None: anonymous)."""
    result = {None: Client()}
    for name, user in people.items():
        result[name] = Client()
        result[name].force_login(user)
    return result


# --- The URL conf -------------------------------------------------------------------------------


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, namespaced name) of every URL pattern, walking the includes."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), ":".join(filter(None, [namespace, pattern.name]))


def fill(route: str, ids: dict, *, first_only: bool = False) -> list[str]:
    """The paths of `route` with its parameters filled: every real id in turn (the others kept on
    their first real id; only the first with `first_only`), then the missing id in each place."""
    parts = route.split("/")
    slots = [i for i, part in enumerate(parts) if part.startswith("<")]
    if not slots:
        return ["/" + route]
    choices = {}
    for i in slots:
        name = parts[i].strip("<>").split(":")[-1]
        key = name if name in ids else parts[i - 1]
        assert key in ids, f"{route}: add ids for '{key}' to the fuzz data set"
        choices[i] = [str(value) for value in ids[key]][: 1 if first_only else None]
        if name != "action":
            choices[i].append(str(MISSING))
    paths = set()
    for i in slots:
        for value in choices[i]:
            filled = {j: choices[j][0] for j in slots} | {i: value}
            paths.add("/" + "/".join(filled.get(k, part) for k, part in enumerate(parts)))
    return sorted(paths)


def page_urls(ids) -> list[str]:
    urls = []
    for route, name in url_patterns():
        if name.startswith("api-v1:") and name not in (
            "api-v1:openapi-json",
            "api-v1:openapi-view",
        ):
            continue  # the API's operations are fuzzed from its schema
        urls.extend(fill(route, ids, first_only=name in RENDERED))
    return urls


# --- Requests -----------------------------------------------------------------------------------


def send(client, method: str, url: str, **kwargs):
    """One request in a savepoint rolled back afterwards, the client's cookies kept: its status,
    or the exception it raised."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, **kwargs)
            if response.streaming:  # read a download to its end, which closes its file
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
    except Exception as exc:  # reported as a failure with the input that caused it
        return f"{type(exc).__name__}: {exc}"
    finally:
        client.cookies = cookies
    return response


def failed(response) -> str | None:
    if isinstance(response, str):
        return response
    if response.status_code >= 500:
        return f"status {response.status_code}"
    return None


def shown(value, limit=300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def run_examples(failures: list, strategy, attempt, fuzz=FUZZ):
    """Run `attempt(example)` (a message when it fails, else None) on hypothesis examples of
    `strategy`, adding the first failing one to `failures`."""

    @fuzz
    @given(strategy)
    def check(example):
        problem = attempt(example)
        assert problem is None, problem

    try:
        check()
    except AssertionError as error:
        failures.append(str(error).splitlines()[0])


# --- Forms --------------------------------------------------------------------------------------


def forms_of(url: str, response) -> list[dict]:
    """The forms of an HTML page: where they go, how, and their fields' names, values and
    choices."""
    if "html" not in response.get("Content-Type", "") or not response.content.strip():
        return []
    document = lxml.html.fromstring(response.content)
    found = []
    for form in document.forms:
        target = form.get("hx-post") or form.get("action") or url
        fields = {}
        for element in form.inputs:
            name = element.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            kind = element.get("type", "") if element.tag == "input" else element.tag
            if element.tag == "select":
                options = [o for o in element.value_options if o]
            elif kind in ("checkbox", "radio"):
                options = [element.get("value", "on")]
            else:
                options = [element.get("value") or element.text or ""]
            field = fields.setdefault(name, {"kind": kind, "options": []})
            field["options"].extend(options)
        found.append(
            {
                "url": urllib.parse.urljoin(url, target),
                "method": (form.get("method") or "get").lower(),
                "htmx": bool(form.get("hx-post")),
                "fields": fields,
            }
        )
    return found


def field_strategy(field):
    if field["kind"] == "file":
        return uploads
    known = [value for value in field["options"] if value is not None]
    return st.one_of(st.sampled_from(known), garbage) if known else garbage


def form_strategy(form):
    """Values for every field of the form, as a browser sends them: real choices and values,
    or garbage."""
    return st.fixed_dictionaries(
        {name: field_strategy(field) for name, field in form["fields"].items()}
    )


def crawl(clients, ids):
    """GET every page as every persona: the failures, the forms found (one of a kind) and, by view
    name, a page of it that a persona can read."""
    failures, forms, readable = [], {}, {}
    for url in page_urls(ids):
        for persona in PERSONAS:
            response = send(clients[persona], "get", url)
            if problem := failed(response):
                failures.append(f"GET {url} as {persona}: {problem}")
                continue
            if response.status_code != 200:
                continue
            readable.setdefault(resolve(urllib.parse.urlsplit(url).path).view_name, (url, persona))
            for form in forms_of(url, response):
                # One form of a kind: the report's entries differ only by the ids in their names.
                match = resolve(urllib.parse.urlsplit(form["url"]).path)
                names = tuple(sorted({re.sub(r"\d+", "#", name) for name in form["fields"]}))
                key = (match.view_name, form["method"], names)
                forms.setdefault(key, form | {"persona": persona, "page": url})
    return failures, forms, readable


# --- The tests ----------------------------------------------------------------------------------


@pytest.mark.slow  # about 40 s of CPU: make test runs it, the shifted-date runs leave it out
def test_no_page_form_or_query_string_answers_a_500(clients, ids):
    failures, forms, readable = crawl(clients, ids)
    # The crawl reached the pages of every app, not only their login redirects, and their forms.
    apps = {view_name.split(":")[0] for view_name in readable}
    assert {"plans", "reporting", "supervision", "documents", "insights", "portal"} <= apps
    assert len(forms) > 20, sorted(forms)
    for form in forms.values():
        run_examples(failures, form_strategy(form), functools.partial(post_form, clients, form))
    queries = st.dictionaries(st.sampled_from(QUERY_NAMES), garbage, min_size=1, max_size=4)
    for view_name, (url, persona) in readable.items():
        if view_name in RENDERED:
            continue
        run_examples(failures, queries, functools.partial(get_page, clients[persona], url, persona))
    assert not failures, "\n".join(failures)


def post_form(clients, form, values):
    client = clients[form["persona"]]
    if form["method"] == "post":
        headers = HX if form["htmx"] else {}
        response = send(client, "post", form["url"], data=values, headers=headers)
    else:
        response = send(client, "get", form["url"], data=values)
    if problem := failed(response):
        return (
            f"{form['method'].upper()} {form['url']} (form of {form['page']}) as "
            f"{form['persona']} with {shown(values)}: {problem}"
        )
    return None


def get_page(client, url, persona, query):
    response = send(client, "get", url, data=query)
    if problem := failed(response):
        return f"GET {url}?{shown(urllib.parse.urlencode(query))} as {persona}: {problem}"
    return None


# --- The API ------------------------------------------------------------------------------------


API_IDS = {
    "plan_id": "plans",
    "report_id": "reports",
    "entry_id": "entries",
    "attachment_id": "attachments",
}


def api_operations():
    from luoshi.api.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation, schema["components"]


def from_schema(schema: dict, components: dict):
    """Values of the schema's shape (edge numbers for its integers, garbage for its strings,
    its choices), each of them possibly a JSON value of any other type."""
    if "$ref" in schema:
        schema = components["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        return st.one_of([from_schema(option, components) for option in schema["anyOf"]])
    kind = schema.get("type")
    if "enum" in schema:
        shaped = st.sampled_from(schema["enum"])
    elif kind == "integer":
        shaped = numbers
    elif kind == "number":
        shaped = numbers | st.floats() | st.decimals().map(str)
    elif kind == "string":
        shaped = garbage
    elif kind == "null":
        shaped = st.none()
    elif kind == "array":
        shaped = st.lists(from_schema(schema.get("items", {}), components), max_size=3)
    elif kind == "object":
        properties = {
            name: from_schema(value, components)
            for name, value in schema.get("properties", {}).items()
        }
        values = from_schema(schema.get("additionalProperties") or {}, components)
        keys = st.one_of(numbers.map(str), garbage)
        extra = st.dictionaries(keys, values, max_size=3)
        shaped = st.fixed_dictionaries({}, optional=properties) if properties else extra
    else:
        return json_values
    return st.one_of(shaped, json_values)


def body_strategy(operation, components):
    body = operation.get("requestBody")
    if body is None:
        return st.none()
    return from_schema(body["content"]["application/json"]["schema"], components)


def query_value(value) -> str:
    return "" if value is None else str(value)


def test_every_api_operation_survives_fuzzed_parameters_and_bodies(people, ids):
    from luoshi.api.services import create_token

    clients = {}
    for name in ("coordinator", "commerce_reporter", "transport_reporter", "leader"):
        _token, key = create_token(people[name], "fuzz")
        clients[name] = Client(headers={"Authorization": f"Bearer {key}"})
    failures, operations = [], 0
    for path, method, operation, components in api_operations():
        operations += 1
        params = operation.get("parameters", [])
        in_path = {}
        for param in params:
            if param["in"] == "path":
                real = ids[API_IDS[param["name"]]]
                in_path[param["name"]] = st.one_of(
                    st.sampled_from([str(v) for v in real] + [str(MISSING)]),
                    numbers.map(str),
                    garbage,
                )
        in_query = {
            param["name"]: st.one_of(
                from_schema(param["schema"], components).map(query_value), garbage
            )
            for param in params
            if param["in"] == "query"
        }
        strategy = st.fixed_dictionaries(
            {
                "persona": st.sampled_from(sorted(clients)),
                "path": st.fixed_dictionaries(in_path),
                "query": st.fixed_dictionaries({}, optional=in_query),
                "body": body_strategy(operation, components),
            }
        )

        def attempt(example, path=path, method=method):
            url = path
            for name, value in example["path"].items():
                url = url.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
            if example["query"]:
                url += "?" + urllib.parse.urlencode(example["query"])
            kwargs = {}
            if example["body"] is not None:
                kwargs = {"data": json.dumps(example["body"]), "content_type": "application/json"}
            response = send(clients[example["persona"]], method, url, **kwargs)
            if problem := failed(response):
                who = example["persona"]
                return f"{method.upper()} {url} as {who} with {shown(kwargs)}: {problem}"
            return None

        run_examples(failures, strategy, attempt, API_FUZZ)
    assert operations >= 15
    assert not failures, "\n".join(failures)
