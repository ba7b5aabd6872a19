"""Feedback from the pages, in Debian's Chromium: the agent panel reports what the agent does with a line,
and the cabin keeps events on the tablet while offline and sends each exactly once when back online."""
import pytest

from tact.store import feedback as events
from tact.web import create_app
from test_browser_pages import AUTO_QUERY, DESKTOP, TABLET, serving

pytestmark = pytest.mark.browser


def counts(app) -> dict:
    found = {"shown": 0, "used": 0, "edited": 0, "declined": 0}
    for row in events.count_rows(app.extensions["tact.store"]):
        found[row["event"]] += row["n"]
    return found


def rows(app) -> list[dict]:
    return events.count_rows(app.extensions["tact.store"])


def suggest_again(page):
    """Click Suggest and wait for this answer, not the one already on screen (the click sets 'loading' at once)."""
    page.get_by_role("button", name="Suggest").click()
    page.wait_for_function("() => document.body.dataset.state === 'ready'")


def wait_sent(page):
    page.wait_for_function("() => document.body.dataset.feedbackPending === '0'", timeout=20000)


def test_agent_panel_reports_shown_used_edited_and_declined_and_the_call_remembers(browser, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/panel.sqlite3"})
    with serving(app) as (_, url):
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url + "/" + AUTO_QUERY)
        page.wait_for_function("() => document.body.dataset.state === 'ready'")
        say = page.locator("#say-now-text")
        line = "Do you also have auto insurance?"
        assert say.inner_text() == line
        wait_sent(page)
        assert counts(app) == {"shown": 1, "used": 0, "edited": 0, "declined": 0}
        # Didn't fit, with a reason: declined; the panel asks again and never raises the topic again in the call.
        page.get_by_role("button", name="Didn't fit").click()
        page.get_by_role("button", name="Wrong moment").click()
        page.wait_for_function("() => !document.getElementById('withhold-card').hidden")
        assert "earlier in this conversation" in page.locator("#withhold-list").inner_text()
        assert "auto" not in say.inner_text().lower()
        assert page.locator("#didnt-fit").is_hidden()        # nothing to decline on a stand-in line
        wait_sent(page)
        declined = [r for r in rows(app) if r["event"] == "declined"]
        assert [(r["reason"], r["topic"], r["channel"], r["industry"]) for r in declined] == [
            ("wrong_moment", "insurance.auto-gap", "phone", "insurance")]
        # A new call starts with a clean slate; reworded before copying: edited (once, however often copied).
        page.get_by_role("button", name="New call").click()
        suggest_again(page)
        assert page.locator("#hold-card").is_hidden()
        assert say.inner_text() == line
        say.fill("Out of interest, do you have auto insurance?")
        page.get_by_role("button", name="Copy", exact=True).click()
        page.get_by_role("button", name="Copy", exact=True).click()
        wait_sent(page)
        assert counts(app) == {"shown": 2, "used": 0, "edited": 1, "declined": 1}
        # The next call: copied as written, used. After one offer, the call holds the topic back.
        page.get_by_role("button", name="New call").click()
        suggest_again(page)
        assert say.inner_text() == line
        page.get_by_role("button", name="Copy", exact=True).click()
        wait_sent(page)
        assert counts(app) == {"shown": 3, "used": 1, "edited": 1, "declined": 1}
        suggest_again(page)
        assert page.locator("#hold-card").is_visible()
        assert "one offer per call" in page.locator("#hold-list").inner_text()
        context.close()
        assert not errors, errors


def _load_demo(page, url):
    page.goto(url + "/cabin")
    page.get_by_role("button", name="Load the demo flight").tap()
    page.wait_for_function("() => document.body.dataset.state === 'ready'")


def test_cabin_queues_events_offline_and_sends_each_exactly_once_when_back_online(browser, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/cabin.sqlite3"})
    with serving(app) as (_, url):
        context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=True)
        page = context.new_page()
        page.goto(url + "/cabin")
        page.wait_for_function("() => document.body.dataset.swReady === 'true'")
        _load_demo(page, url)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        page.locator(".seat[data-seat='1A']").tap()
        page.get_by_role("button", name="Used it").first.tap()
        page.get_by_role("button", name="High").tap()
        pending = int(page.evaluate("() => document.body.dataset.feedbackPending"))
        assert pending >= 2
        assert page.locator("#feedback-pill").is_visible()
        page.wait_for_timeout(500)
        assert sum(counts(app).values()) == 0          # nothing left the tablet
        # The tablet is reloaded in flight: the queue is still there.
        page.reload()
        page.wait_for_function("() => document.body.dataset.ready === 'true'")
        assert int(page.evaluate("() => document.body.dataset.feedbackPending")) == pending
        assert page.locator("#feedback-pill").inner_text() == f"{pending} notes wait to be sent"
        page.locator(".seat[data-seat='1A']").tap()     # shown again, but already reported: no new event
        assert int(page.evaluate("() => document.body.dataset.feedbackPending")) == pending
        # Back on the ground: every event arrives, once.
        context.set_offline(False)
        wait_sent(page)
        found = counts(app)
        assert sum(found.values()) == pending and found["used"] == 1
        assert page.locator("#feedback-pill").is_hidden()
        context.close()


def test_cabin_resends_after_a_lost_answer_and_the_server_counts_it_once(browser, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/lost.sqlite3"})
    with serving(app) as (_, url):
        context = browser.new_context(viewport=TABLET, has_touch=True, service_workers="block")
        page = context.new_page()
        calls = []

        def lose_the_first_answer(route):
            calls.append(route.request.post_data_json)
            if len(calls) == 1:
                route.fetch()          # the server stores the events ...
                route.abort()          # ... but the tablet never hears back
            else:
                route.continue_()

        page.route("**/api/v1/feedback", lose_the_first_answer)
        _load_demo(page, url)
        page.locator(".seat[data-seat='1A']").tap()
        page.get_by_role("button", name="Didn't fit").first.tap()
        page.get_by_role("button", name="Wrong moment").tap()
        wait_sent(page)
        assert len(calls) >= 2
        sent_ids = {e["id"] for call in calls for e in call["events"]}
        assert sum(counts(app).values()) == len(sent_ids)           # resent, never doubled
        declined = [r for r in rows(app) if r["event"] == "declined"]
        assert [r["reason"] for r in declined] == ["wrong_moment"]
        assert "Noted" in page.locator("#passenger-lines").inner_text()
        page.locator(".seat[data-seat='1A']").tap()      # seen again later in the flight: held back
        assert "Didn't fit earlier" in page.locator("#passenger-lines").inner_text()
        context.close()
