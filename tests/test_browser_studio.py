"""The studio's editing loop in Debian's Chromium: writers edit with live preview and lint marks, reviewers
approve and publish, conflicts keep the second writer's text, keyboard-only use, and axe-core on every page."""
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tact.store import Store
from tact.studio import accounts
from tact.web import create_app
from test_browser_pages import DESKTOP, serving

pytestmark = pytest.mark.browser
BUNDLED = Path(__file__).resolve().parents[1] / "phrasebooks"
PASSWORD = "correct horse battery"
COMMENT = "# Owned by the insurance scripts team: ask before changing tone.\n"
AUTO = {"datapoint": {"key": "policy.auto", "value": "none", "provenance": "account_record"},
        "context": {"channel": "phone", "stage": "wrap_up", "issue_resolved": True, "receptiveness": "medium"}}
NEW_LINE = "Do you have {{ label }} with anyone at the moment?"
REVEALING = "I can see you don't have {{ label }} with us."


@pytest.fixture
def studio(tmp_path):
    folder = tmp_path / "phrasebooks"
    shutil.copytree(BUNDLED, folder)
    (folder / "insurance.yaml").write_text(COMMENT + (folder / "insurance.yaml").read_text())
    url = f"sqlite:///{tmp_path}/studio.sqlite3"
    store = Store(url)
    store.upgrade()
    for name, role in {"wendy": "writer", "walt": "writer", "rita": "reviewer"}.items():
        accounts.add_user(store, name, role, PASSWORD)
    store.dispose()
    app = create_app({"TESTING": True, "PHRASEBOOKS": str(folder), "DATABASE_URL": url})
    app.folder = folder
    with serving(app) as (_, base):
        app.base = base
        yield app


class Person:
    """One browser context per person, failing the test on any script error."""

    def __init__(self, browser, app, name):
        self.context = browser.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.base = app.base
        self.name = name

    def login(self):
        """Sign in with the keyboard alone: the name field has focus, Tab to the password, Enter to send."""
        page = self.page
        page.goto(self.base + "/studio/login")
        page.wait_for_function("() => document.activeElement.id === 'login-name'")   # focus starts there
        page.keyboard.type(self.name)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/studio/drafts")
        return self

    def close(self):
        self.context.close()
        assert not self.errors, self.errors


AXE = Axe()


def assert_accessible(page):
    results = AXE.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


def open_editor(person, draft_id, topic="insurance.auto-gap"):
    page = person.page
    page.goto(f"{person.base}/studio/drafts/{draft_id}/topics/{topic}")
    page.wait_for_selector("#preview table")
    return page


def start_draft(person, title):
    page = person.page
    page.goto(person.base + "/studio/drafts")
    page.get_by_label("What is this change for?").fill(title)
    page.keyboard.press("Enter")
    page.wait_for_url("**/studio/drafts/*")
    return int(page.url.rstrip("/").split("/")[-1])


def suggest(app):
    return app.test_client().post("/api/v1/suggest", json=AUTO).get_json()["suggestions"][0]["text"]


def test_writer_edits_with_preview_and_lint_reviewer_approves_and_publishes(browser, studio):
    original = (studio.folder / "insurance.yaml").read_text().splitlines()
    writer = Person(browser, studio, "wendy").login()
    assert_accessible(writer.page)
    draft_id = start_draft(writer, "Friendlier auto question")
    page = writer.page
    assert_accessible(page)
    page.get_by_role("link", name="No auto policy with us").click()
    page.wait_for_selector("#preview table")
    assert_accessible(page)
    line = page.get_by_label("Line (medium, 1)")
    # A revealing line: the preview marks the words and lint marks the field in place, as the writer types.
    line.fill("")
    line.type(REVEALING, delay=5)
    page.wait_for_function("() => document.querySelector('textarea[data-field=\"phrasings.medium.0.text\"]')"
                           ".getAttribute('aria-invalid') === 'true'")
    assert "reveals data" in page.locator(".field.has-problem .field-problem").first.inner_text()
    assert page.locator("#preview mark", has_text="I can see").count() >= 1
    # Fixed: the preview shows the new line with the example values and the mark goes.
    line.fill(NEW_LINE)
    page.wait_for_function("() => [...document.querySelectorAll('#preview td')].some("
                           "td => td.textContent === 'Do you have auto insurance with anyone at the moment?')")
    page.wait_for_function("() => !document.querySelector('[aria-invalid=\"true\"]')")
    page.get_by_role("button", name="Save to draft").click()
    page.wait_for_function("() => document.getElementById('save-status').textContent.includes('version 1')")
    page.goto(f"{studio.base}/studio/drafts/{draft_id}")
    page.get_by_label("Note for the reviewer (optional)").fill("Warmer medium line")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector(".badge.status-submitted")

    reviewer = Person(browser, studio, "rita").login()
    page = reviewer.page
    page.goto(f"{studio.base}/studio/drafts/{draft_id}/review")
    assert_accessible(page)
    assert "Do you also have {{ label }}?" in page.locator(".diff-table .before").first.inner_text()
    assert NEW_LINE in page.locator(".diff-table .after").first.inner_text()
    assert "passes" in page.locator("#validation-h").inner_text()
    assert suggest(studio) == "Do you also have auto insurance?"          # nothing live yet
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector(".badge.status-approved")
    page.get_by_label("Why publish this (goes in the history)").fill("Warmer medium line")
    page.get_by_role("button", name="Publish to the live set").click()
    page.wait_for_url("**/studio/history/*")
    assert_accessible(page)
    assert "Published by rita" in page.locator("h1").inner_text()
    assert suggest(studio) == "Do you have auto insurance with anyone at the moment?"
    text = (studio.folder / "insurance.yaml").read_text()
    assert text.startswith(COMMENT) and NEW_LINE in text
    # The form's round trip changed the one line edited and nothing else in the file.
    changed = [(a, b) for a, b in zip(original, text.splitlines()) if a != b]
    assert changed == [('          text: "Do you also have {{ label }}?"', f'          text: "{NEW_LINE}"')]
    assert len(text.splitlines()) == len(original)
    page.goto(f"{studio.base}/studio/history")
    assert_accessible(page)
    assert "Warmer medium line" in page.locator("table").inner_text()
    writer.close()
    reviewer.close()


def test_a_draft_with_a_revealing_line_cannot_be_published(browser, studio):
    before = (studio.folder / "insurance.yaml").read_bytes()
    writer = Person(browser, studio, "wendy").login()
    draft_id = start_draft(writer, "Blunt")
    page = open_editor(writer, draft_id)
    page.get_by_label("Line (medium, 1)").fill(REVEALING)
    page.get_by_role("button", name="Save to draft").click()
    page.wait_for_function("() => document.getElementById('save-status').textContent.includes('version 1')")
    page.goto(f"{studio.base}/studio/drafts/{draft_id}")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector(".badge.status-submitted")
    reviewer = Person(browser, studio, "rita").login()
    page = reviewer.page
    page.goto(f"{studio.base}/studio/drafts/{draft_id}/review")
    assert "fails" in page.locator("#validation-h").inner_text()
    assert "insurance.yaml:" in page.locator("#validation-errors").inner_text()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector(".badge.status-approved")
    page.get_by_label("Why publish this (goes in the history)").fill("Try it")
    page.get_by_role("button", name="Publish to the live set").click()
    page.wait_for_selector("#publish-errors:not([hidden])")
    errors = page.locator("#publish-errors").inner_text()
    assert "insurance.yaml:" in errors and "reveals data" in errors
    assert "does not validate" in page.locator("#step-status").inner_text()
    assert (studio.folder / "insurance.yaml").read_bytes() == before
    assert suggest(studio) == "Do you also have auto insurance?"
    # The failure leads back to the editor, where the line is marked in place.
    page.get_by_role("link", name="open insurance.auto-gap in the editor").first.click()
    page.wait_for_function("() => document.querySelector('textarea[data-field=\"phrasings.medium.0.text\"]')"
                           ".getAttribute('aria-invalid') === 'true'")
    writer.close()
    reviewer.close()


def test_a_second_writers_conflicting_save_is_refused_with_their_text_kept(browser, studio):
    first, second = Person(browser, studio, "wendy").login(), Person(browser, studio, "walt").login()
    draft_id = start_draft(first, "Shared draft")
    page_a, page_b = open_editor(first, draft_id), open_editor(second, draft_id)
    page_a.get_by_label("Line (medium, 1)").fill("Do you have {{ label }} with another insurer?")
    page_a.get_by_role("button", name="Save to draft").click()
    page_a.wait_for_function("() => document.getElementById('save-status').textContent.includes('version 1')")
    mine = "Is {{ label }} something you already have?"
    page_b.get_by_label("Line (medium, 1)").fill(mine)
    page_b.get_by_role("button", name="Save to draft").click()
    page_b.wait_for_selector("#conflict:not([hidden])")
    assert "someone saved topic" in page_b.locator("#conflict-message").inner_text()
    assert "another insurer" in page_b.locator("#conflict-theirs").inner_text()
    assert page_b.get_by_label("Line (medium, 1)").input_value() == mine      # nothing lost
    assert_accessible(page_b)
    page_b.get_by_role("button", name="Save mine over theirs").click()
    page_b.wait_for_function("() => document.getElementById('save-status').textContent.includes('version 2')")
    first.close()
    second.close()


def test_the_editor_works_from_the_keyboard_alone(browser, studio):
    writer = Person(browser, studio, "wendy").login()
    draft_id = start_draft(writer, "Keyboard")
    page = open_editor(writer, draft_id)
    page.get_by_label("Line (medium, 1)").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type(NEW_LINE)
    reached = []
    for _ in range(120):                       # Tab on from the line until the Save button has focus
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.id || document.activeElement.textContent"))
        if reached[-1] == "save":
            break
    assert reached[-1] == "save", reached[-10:]
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('save-status').textContent.includes('version 1')")
    # The raw YAML view is reachable and works from the keyboard too.
    page.locator("#mode-yaml").focus()
    page.keyboard.press("Enter")
    assert page.locator("#yaml-text").is_visible()
    assert NEW_LINE in page.locator("#yaml-text").input_value()
    writer.close()


def test_the_login_page_passes_axe_and_says_why_a_login_failed(browser, studio):
    person = Person(browser, studio, "nobody")
    page = person.page
    page.goto(studio.base + "/studio/login")
    assert_accessible(page)
    page.get_by_label("Account name").fill("wendy")
    page.get_by_label("Password").fill("not the password")
    page.keyboard.press("Enter")
    assert "Wrong account name or password" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    page.goto(studio.base + "/studio/drafts")
    assert "/studio/login" in page.url                                   # pages need a session
    page.goto(studio.base + "/studio")
    assert page.locator("h1").inner_text() == "Phrasebook studio"        # the read-only preview stays open
    person.close()


def test_a_writer_removes_a_topic_from_a_draft_after_confirming(browser, studio):
    writer = Person(browser, studio, "wendy").login()
    draft_id = start_draft(writer, "Retire a topic")
    page = open_editor(writer, draft_id, "insurance.auto-review")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove topic from draft").click()
    page.wait_for_url(f"**/studio/drafts/{draft_id}")
    assert page.locator("#topic-list code", has_text="insurance.auto-review").count() == 0
    assert "insurance.auto-review" in (studio.folder / "insurance.yaml").read_text()
    writer.close()
