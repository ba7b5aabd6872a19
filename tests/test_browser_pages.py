"""The pages in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser)."""
import contextlib
import json
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tact.web import create_app

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1440, "height": 900}
AUTO_QUERY = ("?key=policy.auto&value=none&label=auto%20insurance&provenance=account_record"
              "&consent=service,marketing&channel=phone&industry=insurance&reason=billing_question"
              "&stage=wrap_up&issue_resolved=true")


@contextlib.contextmanager
def serving(app):
    """The app on a free loopback port in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_url():
    with serving(create_app({"TESTING": True})) as (_, url):
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


# ------------------------------------------------------------------ agent panel

def test_agent_panel_suggests_from_the_url_and_the_tone_switch_changes_the_line(page, live_url):
    page.goto(live_url + "/" + AUTO_QUERY)
    say = page.locator("#say-now-text")
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert say.inner_text() == "Do you also have auto insurance?"
    page.get_by_text("High", exact=True).click()
    page.wait_for_function("t => document.getElementById('say-now-text').textContent !== t",
                           arg="Do you also have auto insurance?")
    high = say.inner_text()
    assert high and high != "Do you also have auto insurance?"
    page.get_by_text("Low", exact=True).click()
    page.wait_for_function("t => document.getElementById('say-now-text').textContent !== t", arg=high)
    assert say.inner_text() not in ("", high)


def test_agent_panel_by_hand_shows_hold_and_withhold_without_the_value(page, live_url):
    page.goto(live_url + "/")
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    row = page.locator("fieldset.dp").first
    row.get_by_label("Key", exact=True).fill("policy.auto")
    row.get_by_label("Value", exact=True).fill("none")
    page.get_by_role("button", name="Add a data point").click()
    second = page.locator("fieldset.dp").nth(1)
    second.get_by_label("Key", exact=True).fill("health.condition")
    second.get_by_label("Value", exact=True).fill("diabetes")
    second.get_by_label("Category").select_option("health")
    page.get_by_label("Stage").select_option("resolution")
    page.get_by_label("Issue resolved?").select_option("false")
    page.get_by_label("Why they got in touch").fill("billing_question")
    page.get_by_role("button", name="Suggest").click()
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert page.locator("#hold-card").is_visible()
    assert page.locator("#withhold-card").is_visible()
    assert "diabetes" not in page.locator(".results").inner_text().lower()


def test_agent_panel_takes_a_request_by_post_message_from_an_allowed_origin_only(page, live_url):
    page.goto(live_url + "/")
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    request = json.loads(Path("examples/auto-insurance.json").read_text())
    # A message from another origin is ignored.
    page.evaluate("""req => window.dispatchEvent(new MessageEvent('message',
        {data: {type: 'tact:suggest', request: req}, origin: 'https://evil.example'}))""", request)
    page.wait_for_timeout(300)
    assert page.locator("#say-now-main").is_hidden()
    # The same message from our own origin fills the form and suggests.
    page.evaluate("req => window.postMessage({type: 'tact:suggest', request: req}, location.origin)", request)
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert page.locator("#say-now-text").inner_text() == "Do you also have auto insurance?"
    assert page.locator("fieldset.dp [name=key]").first.input_value() == "policy.auto"


def test_coaching_marks_revealing_wording_as_the_agent_types(page, live_url):
    page.goto(live_url + "/")
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    page.get_by_label("Type what you would say").press_sequentially("I can see you don't have auto insurance",
                                                                     delay=5)
    page.wait_for_selector("#coach-marked mark")
    assert "I can see" in page.locator("#coach-marked mark").first.inner_text()
    page.wait_for_function("() => document.body.dataset.coach === 'revealing'")
    assert page.locator("#coach-status").inner_text()
    assert page.locator("#coach-findings li").count() >= 1
    if page.locator("#coach-rewrite-box").is_visible():
        assert page.locator("#coach-rewrite").inner_text().strip()
    page.get_by_label("Type what you would say").fill("Do you also have auto insurance?")
    page.wait_for_function("() => document.body.dataset.coach === 'fine'")
    assert page.locator("#coach-marked mark").count() == 0


# ------------------------------------------------------------------ cabin

def test_cabin_loads_a_pack_and_works_offline(browser):
    with serving(create_app({"TESTING": True})) as (server, url):
        context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=True, device_scale_factor=2)
        page = context.new_page()
        page.goto(url + "/cabin")
        page.wait_for_function("() => document.body.dataset.swReady === 'true'")
        page.get_by_role("button", name="Load the demo flight").tap()
        page.wait_for_function("() => document.body.dataset.state === 'ready'")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        # Touch targets are at least 44 px.
        for box in [page.locator(".seat[data-seat]").first.bounding_box(),
                    page.locator(".cabin-tones button").first.bounding_box()]:
            assert box["width"] >= 44 and box["height"] >= 44
        # Cut the network: the browser goes offline and the server goes away.
        context.set_offline(True)
        server.shutdown()
    page.reload()
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert "Offline" in page.locator("#net-status").inner_text()
    page.locator(".seat[data-seat='1A']").tap()
    lines = page.locator("#passenger-lines li")
    assert lines.count() >= 1
    assert page.locator("#passenger-lines .say, #passenger-lines .quiet").first.inner_text().strip()
    # Another tone, still offline.
    page.get_by_role("button", name="High").tap()
    assert page.locator("#passenger-lines li").count() >= 1
    # Nothing sensitive is voiced: the anniversary stays unsaid with others around, the wheelchair never shown.
    page.locator(".seat[data-seat='2D']").tap()
    assert "anniversary" not in page.locator("#passenger-lines .say").all_inner_texts().__str__().lower()
    page.locator(".seat[data-seat='3F']").tap()
    assert "wheelchair" not in page.locator("main").inner_text().lower()
    context.close()


# ------------------------------------------------------------------ studio

def test_studio_previews_every_variant_and_shows_lint(browser, tmp_path):
    for name in ("core.yaml", "insurance.yaml"):
        shutil.copy(Path("phrasebooks") / name, tmp_path / name)
    book = (tmp_path / "insurance.yaml").read_text()
    (tmp_path / "insurance.yaml").write_text(
        book.replace('text: "Do you also have {{ label }}?"', 'text: "I can see you lack {{ label }}."', 1))
    app = create_app({"TESTING": True, "PHRASEBOOKS": str(tmp_path)})
    with app.app_context():
        from tact.web import get_engine
        topic = get_engine().book.topics["insurance.auto-gap"]
    phrasings = sum(len(v) for group in (topic.phrasings, topic.bystander) for v in group.values())
    with serving(app) as (_, url):
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        page.goto(url + "/studio/topics/insurance.auto-gap")
        rows = page.locator("tr.variant")
        assert rows.count() == phrasings
        for i in range(rows.count()):
            for mode in ("spoken", "written"):
                assert rows.nth(i).locator(f".cell-{mode}").inner_text().strip()
        assert page.locator("#preview mark").first.inner_text() == "I can see"
        lint = page.locator("#lint .problems li")
        assert lint.count() >= 1
        assert "insurance.yaml:" in lint.first.locator(".where").inner_text()
        assert page.locator("#lint mark").count() >= 1
        page.goto(url + "/studio")
        assert page.locator("#tests tbody tr").count() >= 1
        assert page.locator("#lint .problems li").count() >= 1
        context.close()
