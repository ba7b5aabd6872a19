"""The user docs say what the code does: generated parts match, rule ids exist, voice examples hold."""
import re
from pathlib import Path

import pytest

from tact.engine import default_engine
from tact.schema import field_tables

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_contract_field_tables_match_the_code():
    text = (DOCS / "contract.md").read_text()
    block = re.search(r"<!-- fields:begin -->\n(.*?)<!-- fields:end -->", text, re.S)
    assert block and block[1] == field_tables(), "run scripts/docs to regenerate docs/contract.md"


def test_every_policy_rule_is_explained_in_the_principles():
    source = (ROOT / "app" / "policy.py").read_text()
    rules = set(re.findall(r'(?:rule\("\w+", |Reason\()"([a-z-]+)"', source))
    assert {"ask-dont-tell", "resolve-first", "sensitive-data"} <= rules
    principles = (DOCS / "principles.md").read_text()
    assert not sorted(r for r in rules if f"`{r}`" not in principles)


VOICE = (DOCS / "voice.md").read_text()
EXAMPLES = re.findall(r'- (fine|never): "(.*)"', VOICE.split("<!-- voice-examples:begin -->")[1]
                      .split("<!-- voice-examples:end -->")[0])


@pytest.mark.parametrize("kind, text", EXAMPLES)
def test_voice_guide_examples_hold(kind, text):
    assert default_engine().check({"text": text})["revealing"] is (kind == "never")


def test_docs_links_resolve_and_nothing_points_outside_the_project():
    pages = [ROOT / "README.md", ROOT / "phrasebooks" / "README.md", *DOCS.glob("*.md")]
    for page in pages:
        text = page.read_text()
        assert "../shared" not in text, page
        for target in re.findall(r"\]\(([^)#]+?\.md)(?:#[^)]*)?\)", text):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
