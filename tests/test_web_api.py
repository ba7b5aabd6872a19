"""The HTTP API speaks the contract exactly, and every error is JSON with the right 4xx."""
import json
from pathlib import Path

import pytest

from tact.model import SENSITIVE_CATEGORIES
from tact.schema import component_schemas

EXAMPLE = json.loads(Path("examples/auto-insurance.json").read_text())
DEMO = json.loads(Path("app/web/static/demo-flight.json").read_text())


def error_of(response):
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) >= {"code", "message", "field"}
    return body["error"]


def test_suggest_single_is_the_contract_response(client):
    r = client.post("/api/v1/suggest", json=EXAMPLE)
    assert r.status_code == 200
    body = r.get_json()
    assert body["topic"] == "insurance.auto-gap"
    assert body["decision"] == "ask"
    assert body["suggestions"][0]["text"] == "Do you also have auto insurance?"
    assert set(body["alternatives"]) == {"low", "high"}
    assert set(body) >= {"topic", "decision", "reasons", "receptiveness", "suggestions", "alternatives",
                         "avoid", "action"}


def test_suggest_batch_keeps_order_and_says_now(client):
    request = {"datapoints": [EXAMPLE["datapoint"], {**EXAMPLE["datapoint"], "key": "policy.auto"}],
               "context": EXAMPLE["context"]}
    r = client.post("/api/v1/suggest", json=request)
    assert r.status_code == 200
    body = r.get_json()
    assert len(body["results"]) == 2
    assert body["say_now"] and body["say_now"][0].startswith("insurance.auto-gap/")


def test_suggest_matches_the_library(client, app):
    from tact.web import get_engine
    with app.app_context():
        expected = get_engine().suggest(EXAMPLE)
    assert client.post("/api/v1/suggest", json=EXAMPLE).get_json() == expected


def test_check_flags_revealing_wording(client):
    r = client.post("/api/v1/check", json={"text": "I can see you don't have auto insurance with us."})
    assert r.status_code == 200
    body = r.get_json()
    assert body["revealing"] is True
    first = body["findings"][0]
    assert set(first) >= {"start", "end", "match", "rule", "severity", "message"}
    text = "I can see you don't have auto insurance with us."
    assert text[first["start"]:first["end"]] == first["match"]
    assert "rewrite" in body


def test_check_fine_wording(client):
    body = client.post("/api/v1/check", json={"text": "Do you also have auto insurance?"}).get_json()
    assert body["revealing"] is False


def test_topics_list_and_detail(client):
    body = client.get("/api/v1/topics").get_json()
    ids = [t["id"] for t in body["topics"]]
    assert "insurance.auto-gap" in ids
    detail = client.get("/api/v1/topics/insurance.auto-gap").get_json()
    assert detail["id"] == "insurance.auto-gap"
    assert set(detail["phrasings"]) >= {"low", "medium", "high"}


def test_unknown_topic_is_json_404(client):
    r = client.get("/api/v1/topics/no.such-topic")
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


def test_healthz_reports_the_phrasebook_version_this_worker_serves(client):
    from tact.phrasebook import load
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok"
    assert body["phrasebooks"] == {"version": load().version, "topics": len(load().topics)}


# ------------------------------------------------------------------ errors

def test_malformed_json_is_400_with_position(client):
    r = client.post("/api/v1/suggest", data='{"datapoint": ', content_type="application/json")
    assert r.status_code == 400
    err = error_of(r)
    assert err["code"] == "malformed_json" and "line 1" in err["message"]


def test_empty_body_is_400(client):
    r = client.post("/api/v1/check", data="", content_type="application/json")
    assert r.status_code == 400


def test_invalid_utf8_is_400(client):
    r = client.post("/api/v1/check", data=b'{"text": "\xff"}', content_type="application/json")
    assert r.status_code == 400


def test_validation_error_is_422_naming_the_field(client):
    bad = {**EXAMPLE, "datapoint": {**EXAMPLE["datapoint"], "provenance": "crm"}}
    r = client.post("/api/v1/suggest", json=bad)
    assert r.status_code == 422
    err = error_of(r)
    assert err["field"] == "datapoint.provenance"
    assert "account_record" in err["message"]


def test_unknown_field_is_422(client):
    r = client.post("/api/v1/suggest", json={**EXAMPLE, "contxt": {}})
    assert r.status_code == 422
    assert error_of(r)["code"] == "unknown_field"


def test_wrong_content_type_is_415(client):
    r = client.post("/api/v1/suggest", data=json.dumps(EXAMPLE), content_type="text/plain")
    assert r.status_code == 415
    assert error_of(r)["code"] == "unsupported_media_type"
    r = client.post("/api/v1/check", data="text=hello")
    assert r.status_code == 415


def test_too_large_is_413(client):
    big = json.dumps({"text": "x" * (300 * 1024)})
    r = client.post("/api/v1/check", data=big, content_type="application/json")
    assert r.status_code == 413
    assert error_of(r)["code"] == "too_large"


def test_wrong_method_is_405_with_allow(client):
    r = client.get("/api/v1/suggest")
    assert r.status_code == 405
    assert "POST" in r.headers["Allow"]
    assert error_of(r)["code"] == "method_not_allowed"
    r = client.delete("/api/v1/topics")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.is_json and error_of(r)["code"] == "not_found"


def test_pages_get_html_errors(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert r.mimetype == "text/html"
    assert b"404" in r.data


@pytest.mark.parametrize("body", [[], "text", 3, None, {"datapoint": []}, {"context": {"channel": "fax"}},
                                  {"datapoints": [], "context": {"channel": "phone"}}])
def test_wrong_shapes_are_4xx(client, body):
    for path in ("/api/v1/suggest", "/api/v1/check", "/api/v1/packs"):
        r = client.post(path, data=json.dumps(body), content_type="application/json")
        assert 400 <= r.status_code < 500, (path, body, r.status_code)
        error_of(r)


# ------------------------------------------------------------------ openapi

def test_openapi_is_3_1_and_uses_the_library_schemas(client):
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    schemas = doc["components"]["schemas"]
    for name, schema in component_schemas().items():
        assert schemas[name] == schema, name
    for path in ("/api/v1/suggest", "/api/v1/check", "/api/v1/topics", "/api/v1/topics/{topic_id}",
                 "/api/v1/packs", "/healthz"):
        assert path in doc["paths"]
    assert doc["paths"]["/api/v1/suggest"]["post"]["requestBody"]["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/SuggestRequest"}


# ------------------------------------------------------------------ packs

def test_pack_has_every_tone_for_every_passenger_and_data_point(client):
    r = client.post("/api/v1/packs", json=DEMO)
    assert r.status_code == 200
    pack = r.get_json()
    assert pack["channel"] == "cabin" and pack["bystanders"] is True
    assert [p["seat"] for p in pack["passengers"]] == [p["seat"] for p in DEMO["passengers"]]
    for passenger, given in zip(pack["passengers"], DEMO["passengers"]):
        assert len(passenger["lines"]) == len(given["datapoints"])
        for line in passenger["lines"]:
            assert set(line["tones"]) == {"low", "medium", "high"}


def test_pack_never_carries_values_or_sensitive_labels(client):
    pack = client.post("/api/v1/packs", json=DEMO).get_json()
    text = json.dumps(pack).lower()
    assert "wheelchair" not in text
    for passenger in pack["passengers"]:
        for line in passenger["lines"]:
            assert "value" not in line
            if line["category"] in SENSITIVE_CATEGORIES:
                assert line["sensitive"] and line["label"] is None
                for tone in line["tones"].values():
                    assert tone["decision"] in ("withhold", "defer") or not any(
                        "assist" in t.lower() for t in tone["lines"])


def test_pack_uses_bystander_mode_like_a_cabin_suggest(client):
    passenger = {"seat": "2D", "datapoints": [{"key": "trip.occasion", "value": "anniversary",
                                               "label": "anniversary", "provenance": "customer_stated"}]}
    pack = client.post("/api/v1/packs", json={"flight": "TC 1", "passengers": [passenger]}).get_json()
    medium = pack["passengers"][0]["lines"][0]["tones"]["medium"]
    direct = client.post("/api/v1/suggest", json={"datapoint": passenger["datapoints"][0],
                                                  "context": {"channel": "cabin", "receptiveness": "medium"}}).get_json()
    assert medium["decision"] == direct["decision"]
    assert medium["lines"] == [s["text"] for s in direct["suggestions"]]
    assert not any("anniversary" in t.lower() for t in medium["lines"])


def test_pack_errors_name_the_passenger(client):
    bad = {"flight": "TC 1", "passengers": [{"seat": "1A", "datapoints": []},
                                            {"seat": "1B", "datapoints": [{"key": "loyalty.tier", "value": "gold",
                                                                           "provenance": "crm"}]}]}
    r = client.post("/api/v1/packs", json=bad)
    assert r.status_code == 422
    assert error_of(r)["field"] == "passengers[1].datapoints[0].provenance"
    r = client.post("/api/v1/packs", json={"flight": "TC 1", "passengers": [{"seat": "1A"}, {"seat": "1A"}]})
    assert r.status_code == 422 and error_of(r)["field"] == "passengers[1].seat"
    r = client.post("/api/v1/packs", json={"flight": "TC 1", "passengers": [{"seat": "aisle"}]})
    assert r.status_code == 422
    r = client.post("/api/v1/packs", json={"passengers": []})
    assert r.status_code == 422 and error_of(r)["field"] == "flight"


# ------------------------------------------------------------------ pages

@pytest.mark.parametrize("path", ["/", "/cabin", "/studio", "/studio/topics/insurance.auto-gap"])
def test_pages_render(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert b"<script src=\"http" not in r.data and b"<link rel=\"stylesheet\" href=\"http" not in r.data


def test_service_worker_is_served_for_the_cabin_scope(client):
    r = client.get("/cabin/sw.js")
    assert r.status_code == 200
    assert r.mimetype == "text/javascript"
    assert r.headers["Service-Worker-Allowed"] == "/cabin"
    assert client.get("/static/demo-flight.json").status_code == 200


def test_studio_shows_lint_with_file_and_line(tmp_path):
    from tact.web import create_app
    book = Path("phrasebooks/insurance.yaml").read_text()
    (tmp_path / "core.yaml").write_text(Path("phrasebooks/core.yaml").read_text())
    bad = book.replace('text: "Do you also have {{ label }}?"', 'text: "I can see you lack {{ label }}."', 1)
    assert bad != book
    (tmp_path / "insurance.yaml").write_text(bad)
    app = create_app({"TESTING": True, "PHRASEBOOKS": str(tmp_path)})
    page = app.test_client().get("/studio/topics/insurance.auto-gap").get_data(as_text=True)
    assert "insurance.yaml:" in page
    assert "<mark>I can see</mark>" in page


def test_studio_previews_the_disk_and_never_changes_what_is_served(tmp_path):
    from tact.web import create_app
    for name in ("core.yaml", "insurance.yaml"):
        (tmp_path / name).write_text(Path("phrasebooks", name).read_text())
    app = create_app({"TESTING": True, "PHRASEBOOKS": str(tmp_path)})
    client = app.test_client()
    served = app.extensions["tact.engine"].book
    said = client.post("/api/v1/suggest", json=EXAMPLE).get_json()["suggestions"][0]["text"]
    assert said == "Do you also have auto insurance?"
    page = client.get("/studio").get_data(as_text=True)
    assert "The files on disk are the set in service" in page and "They would validate" in page

    path = tmp_path / "insurance.yaml"
    path.write_text(path.read_text().replace('text: "Do you also have {{ label }}?"',
                                             'text: "Do you have {{ label }} as well?"'))
    for url in ("/studio", "/studio/topics/insurance.auto-gap"):
        page = client.get(url).get_data(as_text=True)
        assert client.post("/api/v1/suggest", json=EXAMPLE).get_json()["suggestions"][0]["text"] == said
        assert app.extensions["tact.engine"].book is served
        assert "The files on disk differ from the set in service" in page and "They would validate" in page
        assert url.endswith("/studio") or "Do you have auto insurance as well?" in page   # previews the disk
        assert client.get("/healthz").get_json()["phrasebooks"]["version"] == served.version

    path.write_text(path.read_text().replace('text: "Do you have {{ label }} as well?"',
                                             'text: "I can see you lack {{ label }}."'))
    page = client.get("/studio").get_data(as_text=True)
    assert client.post("/api/v1/suggest", json=EXAMPLE).get_json()["suggestions"][0]["text"] == said
    assert "They would not validate (2 lint errors, 1 failing test case)" in page


def test_studio_escapes_phrasebook_text(tmp_path):
    from tact.web import create_app
    (tmp_path / "core.yaml").write_text(Path("phrasebooks/core.yaml").read_text())
    book = Path("phrasebooks/insurance.yaml").read_text()
    (tmp_path / "insurance.yaml").write_text(book.replace("No auto policy with us", "<script>alert(1)</script>", 1))
    app = create_app({"TESTING": True, "PHRASEBOOKS": str(tmp_path)})
    page = app.test_client().get("/studio/topics/insurance.auto-gap").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_factory_reads_config(tmp_path):
    from tact.web import create_app
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 1024})
    r = app.test_client().post("/api/v1/check", json={"text": "x" * 2000})
    assert r.status_code == 413


def test_flask_app_entry_point():
    import tact as package
    flask_app = package.create_app({"TESTING": True})
    assert flask_app.test_client().get("/healthz").status_code == 200
