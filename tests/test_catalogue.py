"""The bundled phrasebooks: the whole starter catalogue, lint-clean, and every topic's own cases pass."""
import pytest

from tact.casetest import run_case
from tact.engine import default_engine
from tact.lint import lint_paths
from tact.model import LEVELS, OTHER_CATEGORIES

CATALOGUE = {
    "policy.auto": "product_holding", "policy.home": "product_holding", "policy.life": "product_holding",
    "claim.open": "service_history", "renewal.due": "account_event", "household.new_driver": "life_event",
    "loyalty.tier": "loyalty", "seat.preference": "preference", "meal.preference": "preference",
    "trip.occasion": "occasion", "flight.recent_disruption": "service_history", "connection.tight": "operational",
    "travel.first_time": "relationship", "accessibility.assistance": "disability", "passenger.birthday": "occasion",
    "purchase.recent": "transaction", "cart.abandoned": "behaviour", "browsing.category": "behaviour",
    "loyalty.points_balance": "loyalty", "purchase.pattern": "life_event", "plan.data_overage": "usage",
    "device.upgrade_eligible": "account_event", "contract.end": "account_event", "roaming.recent": "location",
    "account.overdraft": "financial_hardship", "savings.none": "product_holding", "card.travel_notice": "operational",
    "income.change": "income", "guest.usual_order": "preference", "room.preference": "preference",
    "guest.visit_count": "relationship", "celebration.noted": "occasion", "prescription.refill": "health",
}
BOOK = default_engine().book
CASES = [(topic, case) for topic in BOOK.topics.values() for case in topic.tests]


@pytest.mark.parametrize("key, category", sorted(CATALOGUE.items()))
def test_every_catalogue_key_has_a_topic_with_its_category(key, category):
    topics = BOOK.by_key.get(key)
    assert topics, f"no topic serves {key}"
    assert BOOK.key_categories[key] == category


@pytest.mark.parametrize("category", OTHER_CATEGORIES)
def test_every_non_sensitive_category_has_generic_phrasings(category):
    generic = BOOK.by_category.get(category)
    assert generic, f"no generic topic for {category}"
    assert all(generic[0].phrasings.get(level) for level in LEVELS)


def test_asking_topics_have_all_three_tones():
    for topic in BOOK.topics.values():
        if topic.decision in ("ask", "offer"):
            assert all(topic.phrasings.get(level) for level in LEVELS), topic.id


def test_bundled_phrasebooks_lint_without_errors():
    errors = [p.format() for p in lint_paths() if p.severity == "error"]
    assert errors == []


def test_topics_carry_test_cases():
    untested = [t.id for t in BOOK.topics.values() if not t.tests]
    assert untested == []


@pytest.mark.parametrize("topic, case", CASES, ids=[f"{t.id}: {c.name}" for t, c in CASES])
def test_phrasebook_case(topic, case):
    outcome = run_case(default_engine(), topic, case)
    assert outcome.passed, "\n".join(outcome.problems)
