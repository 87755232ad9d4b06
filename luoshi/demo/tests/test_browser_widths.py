"""Every main page fits every screen, in both languages: the explicit list below (PAGES), per role,
is loaded once per language and the window resized in place to a phone (375 px), a tablet
(768 px) and a laptop (1366 px). At each width:

- the page does not scroll sideways (`scrollWidth <= innerWidth`; a wide table scrolls in its own
  box, orgs/base.js);
- no table cell holding text is narrower than two characters (2em at its own font size): a
  squeezed column shows 方案 one character a line. Cells with no text (a checkbox, an icon) are
  left out: two characters is a measure of text;
- a header of one line of text (灯色 on the 催办 page, 状态, 方案…) stays on one line;
- the menu can be reached: 修改密码 and 退出 are on the screen, or the toggler is (and, once
  per role and language, opening it shows them).

A screenshot of each page, role, language and width is kept in test-artifacts/widths/.

The list is here, not found by crawling: a new main page is added to it by hand. The data is
the root conftest's `reported` month (seen on 20 November 2026) with November published on the
portal.

SQLite only: the layout does not depend on the database, and CI's PostgreSQL run would only
repeat the same minutes.
"""

import time

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from luoshi.portal.services import publish
from luoshi.testing import at, department, make_user, measure, month, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 768, 1366]
LANGUAGES = ["zh-hans", "en"]

# role (a username of the root conftest's personas; None: anonymous) → the main pages, each a URL
# name and the names of its arguments (filled from `ids` in the test).
PAGES = {
    "coordinator": [
        ("plans:list", []),
        ("plans:detail", ["plan"]),
        ("plans:import_upload", []),
        ("reporting:home", []),
        ("reporting:matrix", ["plan"]),
        ("reporting:queue", ["plan"]),
        ("reporting:report", ["commerce_october"]),
        ("reporting:measure", ["measure"]),
        ("reporting:schedule", ["plan"]),
        ("reporting:closures", ["plan"]),
        ("reporting:holidays", []),
        ("supervision:notices", []),
        ("supervision:notice_new", ["plan"]),
        ("supervision:chase", ["plan"]),
        ("supervision:rule", ["plan"]),
        ("supervision:scores", ["plan"]),
        ("supervision:notifications", []),
        ("supervision:region_scores", []),
        ("documents:home", []),
        ("documents:plan", ["plan"]),
        ("documents:report", ["plan", "october"]),
        ("insights:index", []),
        ("insights:plan", ["plan"]),
        ("orgs:directory", []),
        ("portal:manage", ["plan"]),
        ("portal:preview", ["plan", "november"]),
        ("password_change", []),
        ("api:tokens", []),
    ],
    "commerce_reporter": [
        ("reporting:home", []),
        ("reporting:report", ["commerce_november"]),
        ("reporting:report", ["commerce_december"]),
        ("plans:department", ["commerce"]),
        ("plans:list", []),
        ("plans:detail", ["plan"]),
        ("supervision:notices", []),
        ("supervision:notifications", []),
        ("documents:home", []),
    ],
    "commerce_head": [
        ("reporting:home", []),
        ("reporting:report", ["commerce_october"]),
        ("supervision:channels", []),
    ],
    "leader": [
        ("insights:index", []),
        ("insights:plan", ["plan"]),
        ("plans:list", []),
        ("reporting:matrix", ["plan"]),
        ("orgs:directory", []),
    ],
    "sysadmin": [
        ("sysadmin:accounts", []),
        ("sysadmin:account_create", []),
        ("sysadmin:system", []),
        ("orgs:directory", []),
        ("reporting:holidays", []),
    ],
    "secadmin": [
        ("security:home", []),
    ],
    "auditadmin": [
        ("audit:log", []),
    ],
    None: [
        ("login", []),
        ("portal:index", []),
        ("portal:plan", ["plan"]),
    ],
}

# What one width shows: the problems found, each a line of text (the page's own JavaScript).
MEASURE = """async (loggedIn) => {
  // Two frames after the resize: the page's resize handlers (the charts) have run.
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const width = window.innerWidth, problems = [];
  const shown = (el) => el && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden";
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className
      ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + ' "' + el.textContent.trim().replace(/\\s+/g, " ").slice(0, 30) + '"';
  const doc = document.documentElement;
  if (doc.scrollWidth > width) {
    const culprits = [];
    for (const el of document.body.querySelectorAll("*")) {
      const right = el.getBoundingClientRect().right, parent = el.parentElement;
      if (right > width + 1 && parent.getBoundingClientRect().right <= width + 1) {
        culprits.push(describe(el));
      }
    }
    problems.push(`the page is ${doc.scrollWidth}px wide: ` + culprits.slice(0, 4).join("; "));
  }
  for (const cell of document.querySelectorAll("main td, main th")) {
    const head = cell.closest("thead");
    // The stacked layout's thead is for screen readers only (1 px, clipped).
    if (!shown(cell) || (head && head.getBoundingClientRect().width <= 1)) continue;
    // The text the cell shows (a header of an actions column holds only a screen reader's).
    const visible = cell.cloneNode(true);
    visible.querySelectorAll(".visually-hidden").forEach((hidden) => hidden.remove());
    if (!visible.textContent.trim()) continue;
    const em = parseFloat(getComputedStyle(cell).fontSize), box = cell.getBoundingClientRect();
    if (box.width < 2 * em - 0.5) {
      const sizes = `${box.width.toFixed(0)}px < 2em (${(2 * em).toFixed(0)}px)`;
      problems.push(`a cell ${sizes}: ${describe(cell)}`);
    }
    if (head && cell.children.length === 0) {
      const range = document.createRange();
      range.selectNodeContents(cell);
      const lines = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
      if (lines.size > 1) problems.push(`a header wraps on ${lines.size} lines: ${describe(cell)}`);
    }
  }
  if (loggedIn) {
    const onScreen = (el) => {
      if (!shown(el)) return false;
      const box = el.getBoundingClientRect();
      return box.left >= 0 && box.right <= width && box.width > 0;
    };
    const toggler = document.querySelector(".navbar-toggler");
    const buttons = [document.querySelector('.navbar a[href$="/account/password/"]'),
                     document.querySelector('.navbar form[action$="/logout/"] button')];
    if (!onScreen(toggler) && !buttons.every(onScreen)) {
      problems.push("neither the toggler nor 修改密码 and 退出 are on the screen");
    }
  }
  return problems;
}"""

# Once per role and language, on the phone: the toggler opens the menu and shows its buttons.
MENU_OPENS = """() => {
  const width = window.innerWidth;
  return [document.querySelector('.navbar a[href$="/account/password/"]'),
          document.querySelector('.navbar form[action$="/logout/"] button')].every((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.left >= 0 && box.right <= width;
  });
}"""


@time_machine.travel(at(2026, 11, 20, 10, 30), tick=True)
def test_every_main_page_fits_a_phone_a_tablet_and_a_laptop_in_both_languages(
    live_server,
    browser,
    logged_in_page,
    artifacts,
    reported,
    tracked,
    coordinator,
    leader,
    system_admin,
    security_admin,
    audit_admin,
):
    if connection.vendor != "sqlite":
        pytest.skip("the width test runs on SQLite only (the layout does not depend on the DB)")
    publish(coordinator, month(tracked, 2026, 11))
    commerce = department("市商务局")
    ids = {
        "plan": tracked.pk,
        "october": month(tracked, 2026, 10).pk,
        "november": month(tracked, 2026, 11).pk,
        "commerce": commerce.pk,
        "commerce_october": reported["late"].pk,
        "commerce_november": reported["on_time"].pk,
        "commerce_december": month(tracked, 2026, 12).reports.get(organization=commerce).pk,
        "measure": measure("十.3").pk,
    }
    shots = artifacts / "widths"
    shots.mkdir(exist_ok=True)
    problems, loads, started = [], 0, time.perf_counter()
    for username, pages in PAGES.items():
        if username is None:
            page = watch(browser.new_context(viewport={"width": 1366, "height": 900}).new_page())
        else:
            page = logged_in_page(username)
        for language in LANGUAGES:
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for number, (name, keys) in enumerate(pages):
                url = reverse(name, args=[ids[key] for key in keys])
                where = f"{username or 'anonymous'} {language} {url}"
                response = page.goto(live_server.url + url)
                loads += 1
                if not response.ok:
                    problems.append(f"{where}: HTTP {response.status}")
                    continue
                page.wait_for_load_state("networkidle")
                slug = f"{username or 'anonymous'}-{language}-{name.replace(':', '-')}-{number}"
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    found = page.evaluate(MEASURE, username is not None)
                    problems += [f"{where} at {width}px: {problem}" for problem in found]
                    page.screenshot(path=str(shots / f"{slug}-{width}.png"))
                    if username is not None and number == 0 and width == WIDTHS[0]:
                        page.locator(".navbar-toggler").click()
                        # Bootstrap ignores a toggle while the menu slides: wait until it is
                        # open (collapse.show, no longer .collapsing) before reading or closing.
                        page.locator("#nav.collapse.show").wait_for()
                        if not page.evaluate(MENU_OPENS):
                            problems.append(f"{where} at {width}px: the menu opens off-screen")
                        page.screenshot(path=str(shots / f"{slug}-{width}-menu.png"))
                        page.locator(".navbar-toggler").click()
                        # Measure the next width once the menu has folded.
                        page.locator("#nav.collapse:not(.show)").wait_for(state="attached")
                if name == "portal:plan":
                    # Folded by key task, the month is short (unfolded: some 37,000 px).
                    height = page.evaluate("document.documentElement.scrollHeight")
                    if height > 5000:
                        problems.append(f"{where}: the portal's month is {height}px long")
        problems += page.errors
    elapsed = time.perf_counter() - started
    print(f"{loads} loads × {len(WIDTHS)} widths in {elapsed:.0f} s")
    assert problems == [], "\n".join(problems)


@time_machine.travel(at(2026, 11, 20, 10, 30), tick=True)
def test_a_phone_shows_tables_as_cards_and_the_menu_cuts_a_long_unit_name(
    live_server, logged_in_page, artifacts, reported, coordinator
):
    # On a phone every row of the plan list is a card; each cell shows its column's header.
    page = logged_in_page("commerce_reporter", next="/plans/", viewport=(375, 800))
    headers = page.locator("main table thead th").all_inner_texts()
    assert "标题" in headers
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll("main table tbody tr:first-child > *"),
             (cell) => getComputedStyle(cell, "::before").content)"""
    )
    # Each cell shows its header's own words (a header's tooltip mark, if any, is not copied).
    assert len(shown) == len(headers)
    for content, header in zip(shown, headers, strict=True):
        assert (content == "none") if not header else header.startswith(content.strip('"'))
        assert content != '""'
    assert '"标题"' in shown
    first = page.locator("main table tbody tr").first.bounding_box()
    assert first["width"] > 300  # a card as wide as the screen, not a squeezed row
    page.screenshot(path=str(artifacts / "widths-cards-plan-list.png"), full_page=True)

    # 市住房城乡建设局 is cut with an ellipsis on a laptop; the whole name is in its tooltip and
    # 退出 stays on the screen.
    make_user("housing_reporter", "reporter", department("市住房城乡建设局"))
    page = logged_in_page("housing_reporter", viewport=(1366, 800))
    name = page.locator(".navbar-user")
    assert "市住房城乡建设局" in name.get_attribute("title")
    assert name.evaluate("(el) => el.scrollWidth > el.clientWidth")  # cut
    log_out = page.locator('.navbar form[action$="/logout/"] button').bounding_box()
    assert log_out["x"] + log_out["width"] <= 1366
    page.screenshot(path=str(artifacts / "widths-long-unit-name.png"))

    # The longest menu, the coordinator's: in Chinese one row from 1200 px; in English, whose
    # words are longer, one row from 1400 px, and behind the toggler on a 1366 px laptop (in a
    # row there it took two lines). Nothing leaves the screen.
    def menu_rows(page):
        tops = page.eval_on_selector_all(
            ".navbar-nav > .nav-item", "(items) => items.map((i) => i.getBoundingClientRect().top)"
        )
        return len({round(top) for top in tops})

    page = logged_in_page("coordinator", viewport=(1200, 800))
    assert page.locator(".navbar-toggler").is_hidden()
    assert menu_rows(page) == 1
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.set_viewport_size({"width": 1400, "height": 800})
    page.reload()
    assert page.locator(".navbar-toggler").is_hidden()
    assert menu_rows(page) == 1
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(page.locator(".navbar-toggler")).to_be_visible()
    page.locator(".navbar-toggler").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    log_out = page.get_by_role("button", name="Log out").bounding_box()
    assert log_out["x"] + log_out["width"] <= 1366
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "widths-coordinator-en-1366.png"))
