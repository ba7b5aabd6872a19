"""The on-disk cache of loaded sets: a fresh process gets the same set its files give, never a stale one."""
import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from tact import bookcache
from tact import phrasebook
from tact.errors import PhrasebookError
from tact.phrasebook import load

from test_phrasebook import GOOD

CHECKS = sys.modules["tact.check.rules"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv("TACT_CACHE_DIR", str(where))
    monkeypatch.delenv("TACT_CACHE", raising=False)
    return where


def entries(where):
    return sorted(where.glob("*.pickle")) if where.exists() else []


def no_reading(monkeypatch):
    """Reading the files now fails: only the cache can answer."""
    def fail(paths=None):
        raise AssertionError("the set was read from its files")
    monkeypatch.setattr(phrasebook, "collect", fail)


def test_a_set_loaded_again_comes_from_the_cache_and_is_the_same(tmp_path, cache, monkeypatch):
    path = tmp_path / "book.yaml"
    path.write_text(GOOD)
    first = load([path])
    assert len(entries(cache)) == 1
    no_reading(monkeypatch)
    again = load([path])
    assert again == first and again is not first
    assert again.topics["demo.gap"].phrasings["medium"][0].text == "Do you also have {{ label }}?"


def test_a_changed_file_is_read_again(tmp_path, cache):
    path = tmp_path / "book.yaml"
    path.write_text(GOOD)
    load([path])
    path.write_text(GOOD.replace("label: widget cover", "label: gadget cover"))
    assert load([path]).topics["demo.gap"].label == "gadget cover"


def test_a_file_added_to_the_folder_is_read(tmp_path, cache):
    (tmp_path / "a.yaml").write_text(GOOD)
    assert set(load([tmp_path]).topics) == {"demo.gap"}
    (tmp_path / "b.yaml").write_text(GOOD.replace("demo.gap", "demo.other").replace("demo.thing", "demo.else"))
    assert set(load([tmp_path]).topics) == {"demo.gap", "demo.other"}


def test_a_set_with_errors_raises_every_time_and_is_never_kept(tmp_path, cache):
    path = tmp_path / "book.yaml"
    path.write_text(GOOD.replace("purpose: marketing", "purpose: sales"))
    for _ in range(2):
        with pytest.raises(PhrasebookError):
            load([path])
    assert entries(cache) == []


def test_off_keeps_nothing(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("TACT_CACHE", "off")
    path = tmp_path / "book.yaml"
    path.write_text(GOOD)
    load([path])
    assert entries(cache) == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file ownership is POSIX")
def test_an_entry_others_can_write_is_not_read(tmp_path, cache, monkeypatch):
    path = tmp_path / "book.yaml"
    path.write_text(GOOD)
    load([path])
    (entry,) = entries(cache)
    entry.chmod(0o666)
    monkeypatch.setattr(phrasebook, "collect", lambda paths=None: (_ for _ in ()).throw(RuntimeError("read")))
    with pytest.raises(RuntimeError, match="read"):
        load([path])


def test_a_torn_entry_is_a_miss(tmp_path, cache):
    path = tmp_path / "book.yaml"
    path.write_text(GOOD)
    first = load([path])
    (entry,) = entries(cache)
    entry.write_bytes(entry.read_bytes()[:100])
    assert load([path]) == first


def test_old_entries_are_dropped(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(bookcache, "KEEP", 2)
    for i in range(4):
        path = tmp_path / f"book{i}.yaml"
        path.write_text(GOOD.replace("widget cover", f"widget cover {i}"))
        load([path])
    assert len(entries(cache)) == 2


def plain(rules):
    """Rules as comparable values (a pattern part compares by identity)."""
    return [(replace(r, parts=()), [(p.regex.pattern, p.regex.flags, p.on_lower, p.needs, p.order, p.rule)
                                    for p in r.parts]) for r in rules]


def test_check_rules_come_from_the_cache_the_same(cache, monkeypatch):
    first = CHECKS.load_rules()
    assert len(entries(cache)) == 1
    monkeypatch.setattr(CHECKS, "collect_rules", lambda paths=None: (_ for _ in ()).throw(AssertionError("read")))
    again = CHECKS.load_rules()
    # A part's pattern is compiled when a sentence first needs it, to the same regex.
    assert not any("regex" in vars(part) for rule in again for part in rule.parts)
    assert again is not first and plain(again) == plain(first)


def test_a_fresh_process_answers_the_same_from_the_cache(tmp_path, cache):
    request = tmp_path / "request.json"
    request.write_text(textwrap.dedent("""\
        {"datapoint": {"key": "policy.auto", "value": "none", "label": "auto insurance",
                       "category": "product_holding", "provenance": "account_record",
                       "consent": ["service", "marketing"]},
         "context": {"channel": "phone", "industry": "insurance", "stage": "wrap_up", "issue_resolved": true,
                     "customer_utterances": ["Great, thanks, that sorted it."]}}"""))
    tact = [sys.executable, "-c", "from tact.cli import run; run()", "suggest", str(request)]
    env = {**os.environ, "TACT_CACHE_DIR": str(cache)}
    cold = subprocess.run(tact, env=env, capture_output=True, text=True, check=True).stdout
    assert len(entries(cache)) == 2     # the phrasebooks and the check's rules
    warm = subprocess.run(tact, env=env, capture_output=True, text=True, check=True).stdout
    off = subprocess.run(tact, env={**env, "TACT_CACHE": "off"}, capture_output=True, text=True, check=True).stdout
    assert cold == warm == off
