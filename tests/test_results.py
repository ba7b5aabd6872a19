"""What script writers see: the stats API, the studio's results page with its SVG charts, and `tact stats`."""
import csv
import io
import re

import pytest
from click.testing import CliRunner

from tact.cli import main
from tact.store import head_revision
from tact.web import create_app

MEDIUM, HIGH, LOW = ("insurance.auto-gap/medium/1", "insurance.auto-gap/high/1", "insurance.auto-gap/low/1")


@pytest.fixture
def seeded(tmp_path):
    url = f"sqlite:///{tmp_path}/results.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    plan = [(MEDIUM, "shown", 10, "phone"), (MEDIUM, "used", 6, "phone"), (MEDIUM, "declined", 1, "phone"),
            (HIGH, "shown", 8, "chat"), (HIGH, "declined", 5, "chat"), (HIGH, "edited", 1, "chat"),
            (LOW, "shown", 4, "phone")]
    events, n = [], 0
    for sid, kind, times, channel in plan:
        for _ in range(times):
            n += 1
            event = {"id": f"s{n}", "conversation_id": f"c{n}", "topic": "insurance.auto-gap", "suggestion_id": sid,
                     "event": kind, "channel": channel, "industry": "insurance", "at": "2026-11-20T10:00:00Z"}
            if kind == "declined":
                event["reason"] = "sounds_wrong" if sid == HIGH else "wrong_moment"
            events.append(event)
    old = {**events[0], "id": "old", "at": "2025-01-01T00:00:00Z"}
    assert app.test_client().post("/api/v1/feedback", json={"events": events + [old]}).status_code == 202
    return app, url


def test_stats_count_each_event_per_topic_and_phrasing_and_flag_the_most_declined(seeded):
    app, _ = seeded
    stats = app.test_client().get("/api/v1/stats?since=2026-11-01&until=2026-11-30").get_json()
    assert {k: stats["totals"][k] for k in ("shown", "used", "edited", "declined")} == {
        "shown": 22, "used": 6, "edited": 1, "declined": 6}
    (topic,) = stats["topics"]
    phrasings = {p["id"]: p for p in topic["phrasings"]}
    assert (phrasings[HIGH]["shown"], phrasings[HIGH]["declined"], phrasings[HIGH]["edited"]) == (8, 5, 1)
    assert phrasings[HIGH]["declined_reasons"] == {"sounds_wrong": 5}
    assert phrasings[HIGH]["rework"] and not phrasings[MEDIUM]["rework"]
    assert [r["id"] for r in stats["rework"]] == [HIGH]
    assert {g["channel"]: g["shown"] for g in stats["by_channel"]} == {"phone": 14, "chat": 8}
    assert {g["tone"] for g in stats["by_tone"]} == {"neutral", "warm", "brief"}
    # Filters: the channel, spoken channels, and the period (the old event is outside it).
    chat = app.test_client().get("/api/v1/stats?channel=chat&since=2026-11-01").get_json()
    assert chat["totals"]["shown"] == 8
    spoken = app.test_client().get("/api/v1/stats?channel=spoken&since=2026-11-01").get_json()
    assert spoken["totals"]["shown"] == 14
    everything = app.test_client().get("/api/v1/stats").get_json()
    assert everything["totals"]["shown"] == 23
    assert app.test_client().get("/api/v1/stats?topic=retail.cart-abandoned").get_json()["topics"] == []


def test_studio_results_page_charts_and_flags_without_any_script(seeded):
    app, _ = seeded
    page = app.test_client().get("/studio/results?since=2026-11-01&until=2026-11-30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    charts = re.findall(r'<svg class="chart" id="(chart-[a-z]+)"', html)
    assert charts == ["chart-topics", "chart-tone", "chart-channel", "chart-industry"]
    assert re.search(r'<rect class="bar-declined"[^>]*><title>warm: declined 5</title>', html)
    rework = html.split('id="rework"', 1)[1].split("</section>", 1)[0]
    assert HIGH in rework and MEDIUM not in rework
    assert 'data-phrasing="insurance.auto-gap/high/1" class="flagged"' in html
    narrowed = app.test_client().get("/studio/results?since=2026-11-01&channel=phone").get_data(as_text=True)
    assert "chat" not in re.findall(r'id="chart-channel".*?</svg>', narrowed, re.S)[0]
    bad = app.test_client().get("/studio/results?since=someday")
    assert bad.status_code == 422 and "ISO 8601" in bad.get_data(as_text=True)


def test_tact_stats_db_upgrade_and_prune_on_the_command_line(seeded, tmp_path):
    _, url = seeded
    runner = CliRunner()
    done = runner.invoke(main, ["stats", "--database", url, "--since", "2026-11-01", "--format", "csv"])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.output)))
    high = next(r for r in rows if r["phrasing"] == HIGH)
    assert (high["shown"], high["declined"], high["rework"]) == ("8", "5", "rework")
    table = runner.invoke(main, ["stats", "--database", url, "--since", "2026-11-01"])
    assert table.exit_code == 0 and "1 phrasing(s) flagged for rework" in table.output
    assert re.search(r"insurance\.auto-gap/high/1\s+warm\s+high\s+8\s+0\s+1\s+5", table.output)
    fresh = f"sqlite:///{tmp_path}/fresh/tact.sqlite3"
    upgraded = runner.invoke(main, ["db", "upgrade", "--database", fresh])
    assert upgraded.exit_code == 0 and f"at revision {head_revision()}" in upgraded.output
    pruned = runner.invoke(main, ["db", "prune", "--database", url, "--days", "180"])
    assert pruned.exit_code == 0 and "deleted 1 event" in pruned.output
    kept = runner.invoke(main, ["db", "prune", "--database", url], env={"TACT_RETENTION_DAYS": "100000"})
    assert "deleted 0 event" in kept.output
