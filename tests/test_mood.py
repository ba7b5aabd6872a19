"""Lines and reasons that fit the customer's mood: an apology where something went wrong and only then,
reassurance for a worry, support for hardship they told us, reasons that match the situation, tones that
really differ."""
from tact.engine import default_engine
from tact.lint import lint_paths

from test_moments import TOPIC, write_book

ENGINE = default_engine()


def suggest(datapoint, **context):
    return ENGINE.suggest({"datapoint": datapoint, "context": {"channel": "phone", **context}})


def said(result):
    return [s["text"] for s in result["suggestions"]] + \
        [s["text"] for group in result["alternatives"].values() for s in group]


def reasons(result):
    return " ".join(r["message"] for r in result["reasons"])


CLAIM = {"key": "claim.open", "value": {"status": "with the loss adjuster"}, "label": "subsidence claim",
         "category": "service_history", "provenance": "account_record"}


def test_a_caller_chasing_their_claim_hears_sorry_first_at_every_tone():
    result = suggest(CLAIM, industry="insurance", stage="discovery",
                     customer_utterances=["I've phoned four times about my claim", "nobody ever rings back, it's useless"])
    assert result["decision"] == "offer"
    for text in said(result):
        assert "sorry" in text.lower().split(".")[0], text


def test_a_calm_caller_asking_about_their_claim_is_not_apologised_to():
    result = suggest(CLAIM, industry="insurance", stage="discovery",
                     customer_utterances=["Hi, could you tell me where my claim has got to?"])
    assert result["decision"] == "offer" and result["suggestions"]
    assert not any("sorry" in text.lower() for text in said(result))


def test_a_happy_customer_praising_us_as_always_is_not_apologised_to():
    dp = {"key": "policy.auto", "value": "none", "provenance": "account_record", "consent": ["service"]}
    result = suggest(dp, industry="insurance", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["Smashing, you lot are so helpful as always, thank you!"])
    assert result["receptiveness"]["level"] != "low"
    assert not any(word in text.lower() for text in said(result) for word in ("sorry", "hassle"))


def test_praise_beside_a_gripe_as_always_still_reads_as_sarcasm():
    dp = {"key": "policy.auto", "value": "none", "provenance": "account_record", "consent": ["service"]}
    result = suggest(dp, industry="insurance", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["Late again, as always. Brilliant."])
    assert result["decision"] != "ask"


def test_a_patient_afraid_it_will_hurt_is_reassured_before_anything_else():
    dp = {"key": "visit.test", "value": "blood test", "label": "blood test", "category": "health",
          "provenance": "customer_said"}
    result = suggest(dp, channel="in_person", industry="healthcare", stage="discovery",
                     customer_utterances=["I'm in for a blood test", "will it hurt?"])
    assert result["suggestions"]
    assert all("worr" in text.lower().split(".")[0] for text in said(result))


def test_a_customer_who_says_they_cannot_afford_heating_gets_support_not_silence():
    dp = {"key": "support.warm_home_grant", "value": "eligible", "label": "warm home support",
          "category": "financial_hardship", "provenance": "inferred"}
    result = suggest(dp, industry="energy", stage="discovery",
                     customer_utterances=["we cannot afford to put the heating on", "it's heating or eating at the moment"])
    assert result["decision"] == "offer"
    assert "support" in result["action"] and "selling" in result["action"]
    assert all("sorry" in text.lower() or "thank you for telling me" in text.lower() for text in said(result))
    assert "asked for help" not in reasons(result) and "sell" not in " ".join(said(result)).lower()


def test_missed_bin_collections_are_a_complaint_not_money_trouble():
    dp = {"key": "bins.missed_collections", "value": 3, "label": "missed collections",
          "category": "service_history", "provenance": "account_record"}
    result = suggest(dp, industry="local_council", stage="discovery",
                     customer_utterances=["my green bin wasn't collected again", "third week running"])
    assert result["category"] == "service_history"
    assert result["decision"] == "offer" and result["suggestions"][0]["text"].startswith("I'm sorry it's happened again")
    assert "payment" not in (result["action"] or "") and "money" not in reasons(result)
    assert "complaint" not in reasons(result)


def test_a_debt_in_collections_is_still_money_trouble():
    dp = {"key": "account.note", "value": "passed to collections", "label": "account status",
          "category": "account_event", "provenance": "account_record"}
    result = suggest(dp, stage="discovery", customer_utterances=["Hi, I'd like to update my address"])
    assert result["category"] == "financial_hardship" and result["decision"] == "withhold"


def test_an_interpreter_the_customer_asks_for_is_booked_and_not_called_ethnicity():
    dp = {"key": "appointment.interpreter", "value": "Arabic", "label": "interpreter",
          "category": "ethnicity", "provenance": "customer_said"}
    result = suggest(dp, industry="healthcare", stage="discovery",
                     customer_utterances=["can you get an Arabic interpreter for my mum's appointment?"])
    assert result["decision"] == "offer"
    assert "interpreter" in result["suggestions"][0]["text"] and "Arabic" not in " ".join(said(result))
    assert "Book an interpreter" in result["action"]
    assert "never repeated, noted" not in reasons(result)


def test_lint_warns_when_a_tone_is_another_with_words_put_in_front(tmp_path):
    body = TOPIC.replace('high: ["Lovely to see you! Shall I check what your points could get you?"]',
                         'high: ["Good news, would you like to use your points?"]')
    near = [p for p in lint_paths([str(write_book(tmp_path, body))]) if p.rule == "tones-near-identical"]
    assert len(near) == 1 and near[0].severity == "warning" and "'high' is a 'medium' phrasing" in near[0].message


def test_lint_leaves_tones_that_really_differ_alone(tmp_path):
    assert not [p for p in lint_paths([str(write_book(tmp_path, TOPIC))]) if p.rule == "tones-near-identical"]


def test_the_bundled_change_and_ending_notices_differ_by_tone():
    near = [p for p in lint_paths() if p.rule == "tones-near-identical" and "notice:" in p.message]
    assert not near


SEAT = {"key": "seat.preference", "value": "aisle", "label": "aisle seat", "category": "preference",
        "provenance": "customer_stated"}


def test_a_nervous_first_time_flyer_on_board_is_reassured():
    result = suggest(SEAT, channel="cabin", industry="airline", stage="opening",
                     customer_utterances=["it's my first time flying and I'm so nervous"])
    assert result["suggestions"] and result["action"] is None
    assert "worry" in result["suggestions"][0]["text"].lower()
    assert "aisle" not in " ".join(said(result)).lower()


def test_a_calm_passenger_on_board_is_told_nothing_about_the_seat_on_file():
    result = suggest(SEAT, channel="cabin", industry="airline", stage="opening",
                     customer_utterances=["Hi, is this row 12?"])
    assert not any("aisle" in text.lower() or "worry" in text.lower() for text in said(result))


def test_a_car_that_died_on_the_motorway_is_no_bereavement():
    dp = {"key": "breakdown.cover", "value": "included", "label": "breakdown cover", "category": "product_holding",
          "provenance": "account_record"}
    result = suggest(dp, industry="car_rental", stage="discovery",
                     customer_utterances=["the hire car has died on the A1", "I'm stuck on the hard shoulder"])
    assert "grief" not in result["receptiveness"]["signals"]
    assert not any("grie" in r["message"] for r in result["reasons"])
    assert not any(text.startswith("I'm so sorry.") for text in said(result))


def test_a_death_in_the_family_is_still_grief():
    dp = {"key": "breakdown.cover", "value": "included", "label": "breakdown cover", "category": "product_holding",
          "provenance": "account_record"}
    result = suggest(dp, industry="insurance", stage="discovery",
                     customer_utterances=["my husband died last week and the car is in his name"])
    assert result["decision"] == "withhold" and any("griev" in r["message"] for r in result["reasons"])


def test_a_message_we_send_first_never_says_the_customer_asked():
    dp = {"key": "direct_debit.none", "value": True, "label": "Direct Debit", "category": "product_holding",
          "provenance": "account_record"}
    result = suggest(dp, channel="email", industry="local_council", stage="opening", reason="annual_bill")
    assert "asked for this themselves" not in reasons(result)
    assert not any("still working" in text for text in said(result))
