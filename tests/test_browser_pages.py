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
    row.get_by_label("marketing").check()    # with no consent it would be withheld, not held
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
    # Before the issue is resolved nothing is said about either: the panel says to keep helping, no stock close.
    assert page.locator("#say-now-main").is_hidden()
    assert "Keep helping" in page.locator("#say-now-empty").inner_text()


def test_agent_panel_shows_the_discreet_action_for_a_need_the_customer_raised(page, live_url):
    page.goto(live_url + "/")
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    row = page.locator("fieldset.dp").first
    row.get_by_label("Key", exact=True).fill("passenger.need")
    row.get_by_label("Value", exact=True).fill("pregnant")
    row.get_by_label("Category").select_option("pregnancy")
    row.get_by_label("Where it came from").select_option("customer_said")
    page.get_by_label("Industry").fill("airline")
    page.get_by_role("button", name="Suggest").click()
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert page.locator("#quietly").is_visible()
    assert "aisle seat" in page.locator("#quietly-list").inner_text()
    assert "pregnan" not in page.locator(".results").inner_text().lower()


def test_agent_panel_takes_any_industry(page, live_url):
    page.goto(live_url + "/?key=loyalty.tier&value=gold&provenance=account_record&channel=phone"
                         "&industry=car_rental&receptiveness=medium&consent=marketing")
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert page.get_by_label("Industry").input_value() == "car_rental"
    assert page.locator("#say-now-text").inner_text()


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
        # Touch targets are at least 44 px (the tone buttons sit with the tapped passenger's lines).
        page.locator(".seat[data-seat='1A']").tap()
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


# ------------------------------------------------------------------ a first day of use

def suggest_body(page, action) -> dict:
    """The JSON the panel sends to /api/v1/suggest when `action` runs."""
    with page.expect_request(lambda r: r.url.endswith("/api/v1/suggest")) as sent:
        action()
    page.wait_for_function("() => ['ready', 'error'].includes(document.body.dataset.state)")
    return json.loads(sent.value.post_data)


def test_consent_can_be_none_unknown_or_given_and_defaults_to_none(page, live_url):
    page.goto(live_url + "/")
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    row = page.locator("fieldset.dp").first
    row.get_by_label("Key", exact=True).fill("policy.auto")
    row.get_by_label("Value", exact=True).fill("none")
    page.get_by_label("Stage").select_option("wrap_up")
    page.get_by_label("Issue resolved?").select_option("true")
    suggest = page.get_by_role("button", name="Suggest")
    # Nothing ticked: the safe default says no consent, so the cross-sell is not made.
    assert suggest_body(page, suggest.click)["datapoints"][0]["consent"] == []
    assert page.locator("#withhold-card").is_visible()
    assert "No marketing consent" in page.locator("#withhold-list").inner_text()
    # "Unknown" leaves consent out, as the contract has it.
    row.get_by_label("Consent on record").select_option("unknown")
    assert "consent" not in suggest_body(page, suggest.click)["datapoints"][0]
    assert page.locator("#say-now-text").inner_text() == "Do you also have auto insurance?"
    # Ticking a purpose says consent was given for it.
    row.get_by_label("marketing").check()
    assert row.get_by_label("Consent on record").input_value() == "given"
    assert suggest_body(page, suggest.click)["datapoints"][0]["consent"] == ["marketing"]
    row.get_by_label("Consent on record").select_option("none")
    assert not row.get_by_label("marketing").is_checked()


def test_a_quiet_action_is_the_big_thing_to_do_and_its_line_is_secondary(page, live_url):
    page.goto(live_url + "/?key=seat.preference&value=aisle&provenance=customer_stated&channel=phone"
              "&industry=airline")
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert page.locator("#say-now-kind").inner_text().lower() == "do quietly"
    big = page.locator("#say-now-text")
    assert big.inner_text().startswith("Pre-select an aisle seat")
    line = page.locator("#say-now-line")
    assert line.inner_text().startswith("I'll get your seat sorted")
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    assert big.evaluate(size) > line.evaluate(size) * 1.3
    assert page.locator("#quietly").is_hidden()    # not listed twice


def test_url_with_bad_values_names_them_and_keeps_the_dropdowns(page, live_url):
    page.goto(live_url + "/?key=policy.auto&value=none&provenance=crm&channel=telepathy&stage=wrap_up")
    page.wait_for_function("() => document.body.dataset.state === 'error'")
    errors = page.locator("#errors").inner_text()
    assert "context.channel: expected one of phone, video" in errors and "got 'telepathy'" in errors
    assert "datapoints[0].provenance: expected one of customer_said" in errors and "got 'crm'" in errors
    assert "got ''" not in errors
    assert page.locator("#ctx-channel").input_value() == "phone"
    assert page.locator("fieldset.dp [name=provenance]").input_value() == "account_record"
    assert page.locator("#ctx-stage").input_value() == "wrap_up"


def test_panel_headings_use_topic_titles_and_labels_fit_the_key(page, live_url):
    page.goto(live_url + "/?key=prescription.refill&value=sertraline%2050mg&channel=in_person&industry=pharmacy")
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    heading = page.locator("#withhold-list .line-title").first.inner_text()
    assert "prescription ready to refill" in heading.lower() and "prescription.refill" not in heading.lower()
    assert "sertraline" not in page.locator(".results").inner_text().lower()
    label = page.locator("fieldset.dp [name=label]").first
    assert label.get_attribute("placeholder") != "auto insurance"
    page.locator("fieldset.dp [name=key]").first.fill("seat.preference")
    assert label.get_attribute("placeholder") == "seat preference"
    page.locator("fieldset.dp [name=key]").first.fill("policy.auto")
    assert label.get_attribute("placeholder") == "auto insurance"


def test_coaching_box_shows_no_empty_bar_before_typing(page, live_url):
    page.goto(live_url + "/")
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    assert page.locator("#coach-marked").is_hidden()
    page.get_by_label("Type what you would say").fill("I can see you don't have auto insurance")
    page.wait_for_selector("#coach-marked mark")
    page.get_by_label("Type what you would say").fill("")
    page.wait_for_function("() => document.body.dataset.coach === undefined")
    assert page.locator("#coach-marked").is_hidden()


def tablet(browser):
    return browser.new_context(viewport=TABLET, has_touch=True, is_mobile=True, device_scale_factor=2)


def load_demo(page, url):
    page.goto(url + "/cabin")
    page.wait_for_function("() => document.body.dataset.swReady === 'true'")
    page.get_by_role("button", name="Load the demo flight").tap()
    page.wait_for_function("() => document.body.dataset.state === 'ready'")


def test_cabin_passenger_panel_covers_no_seat_and_names_are_whole(browser, live_url):
    context = tablet(browser)
    page = context.new_page()
    load_demo(page, live_url)
    for seat in ("1A", "9D", "10F"):
        page.locator(f".seat[data-seat='{seat}']").tap()
        covered = page.evaluate("""() => {
            const card = document.getElementById('passenger-card').getBoundingClientRect();
            return [...document.querySelectorAll('#seatmap .seat')].filter(s => {
                const r = s.getBoundingClientRect();
                return r.left < card.right && r.right > card.left && r.top < card.bottom && r.bottom > card.top;
            }).map(s => s.textContent);
        }""")
        assert covered == [], (seat, covered)
        box = page.locator("#passenger-card").bounding_box()
        assert box["y"] >= 0 and box["y"] < TABLET["height"]
    cut = page.evaluate("""() => [...document.querySelectorAll('#seatmap .seat small')]
        .filter(n => n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1
                     || n.getBoundingClientRect().right > n.parentElement.getBoundingClientRect().right)
        .map(n => n.textContent)""")
    assert cut == []
    context.close()


def test_cabin_shows_the_quiet_action_large_and_no_check_in_to_dos(browser, live_url):
    context = tablet(browser)
    page = context.new_page()
    load_demo(page, live_url)
    page.locator(".seat[data-seat='5B']").tap()      # prefers an aisle seat: already seated
    lines = page.locator("#passenger-lines")
    assert "pre-select" not in lines.inner_text().lower()
    assert "Nothing to do on board." in lines.inner_text()
    page.locator(".seat[data-seat='1C']").tap()      # a vegetarian meal: still to serve
    action = page.locator("#passenger-lines .do").first
    assert action.inner_text().startswith("Serve the vegetarian meal")
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    assert action.evaluate(size) > page.locator("#passenger-lines .line-sub").first.evaluate(size)
    context.close()


def test_cabin_bystander_mode_switches_offline_and_survives_a_reload(browser):
    with serving(create_app({"TESTING": True})) as (server, url):
        context = tablet(browser)
        page = context.new_page()
        load_demo(page, url)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        server.shutdown()
    pill, box = page.locator("#bystander-pill"), page.locator("#bystanders")
    page.locator(".seat[data-seat='2D']").tap()
    said = lambda: " / ".join(page.locator("#passenger-lines .say").all_inner_texts())
    public = said()
    assert "anniversary" not in public.lower() and "Others can hear" in pill.inner_text()
    box.uncheck()
    assert "Private" in pill.inner_text()
    private = said()
    assert private and private != public
    page.reload()
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert not box.is_checked() and "Private" in pill.inner_text()
    page.locator(".seat[data-seat='2D']").tap()
    assert said() == private
    box.check()
    assert "Others can hear" in pill.inner_text() and said() == public
    context.close()


def test_studio_counts_read_right_and_failures_come_first(browser, tmp_path):
    for name in ("core.yaml", "moments.yaml", "insurance.yaml"):
        shutil.copy(Path("phrasebooks") / name, tmp_path / name)
    with serving(create_app({"TESTING": True})) as (_, url):
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        page.goto(url + "/studio")
        zero = page.locator("#lint-h .badge").first
        assert zero.inner_text() == "0 errors"
        assert zero.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
        assert zero.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(253, 224, 224)"
        assert page.locator("#tests-h .badge").nth(1).inner_text() == "0 failed"
        assert "Seat preference" in page.locator("nav.card").inner_text()
        context.close()
    book = (tmp_path / "insurance.yaml").read_text()
    book = book.replace('- "Anything to check on your renewal?"',
                        '- "I can see your renewal is due, anything to check?"', 1)
    book = book.replace("expect: {decision: defer, rules: [hear-them-out], never_says: \"renewal\"}",
                        "expect: {decision: offer}", 1)
    (tmp_path / "insurance.yaml").write_text(book)
    with serving(create_app({"TESTING": True, "PHRASEBOOKS": str(tmp_path)})) as (_, url):
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        page.goto(url + "/studio")
        assert page.locator("#lint-h .badge").first.inner_text() == "1 error"
        assert page.locator("#tests-h .badge").nth(1).inner_text() == "1 failed"
        first = page.locator("#tests tbody tr").first
        assert first.get_attribute("data-topic") == "insurance.renewal-due"
        assert first.locator("th").inner_text() == "Renewal coming up"
        assert "not in the opening seconds" in first.locator("li").first.inner_text()
        page.goto(url + "/studio/topics/insurance.renewal-due")
        assert page.locator("h1").inner_text() == "Renewal coming up"
        assert page.locator("#tests li").first.inner_text().startswith("FAIL")
        context.close()


def test_a_quiet_actions_line_is_not_repeated_among_the_lines_to_say(page, live_url):
    page.goto(live_url + "/?key=policy.auto&value=none&consent=marketing&channel=phone&stage=wrap_up"
              "&issue_resolved=true&key=seat.preference&value=aisle&provenance=account_record&provenance=customer_stated")
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert page.locator("#say-now-text").inner_text() == "Do you also have auto insurance?"
    assert "your seat sorted" not in page.locator("#say-now-more").inner_text()
    quietly = page.locator("#quietly-list").inner_text()
    assert "Pre-select an aisle seat" in quietly and "your seat sorted" in quietly


def test_a_posted_request_with_malformed_consent_is_named_not_taken_as_unknown(page, live_url):
    page.goto(live_url + "/")
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    request = json.loads(Path("examples/auto-insurance.json").read_text())
    request["datapoint"]["consent"] = "marketing"
    page.evaluate("req => window.postMessage({type: 'tact:suggest', request: req}, location.origin)", request)
    page.wait_for_function("() => document.body.dataset.state === 'error'")
    assert "datapoints[0].consent: expected an array of purposes" in page.locator("#errors").inner_text()
    assert page.locator("#say-now-main").is_hidden()
