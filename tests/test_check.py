"""The revealing-phrase check: the contract's examples, near-misses, rules as data, offsets, speed of reuse."""
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tact.check import Checker, default_checker
from tact.check import collect_rules, load_rules, parse_rules
from tact.check import format_text
from tact.check.spelling import load_spelling
from tact.errors import PhrasebookError
from tact.model import Context

CHECK = default_checker()


def said(*words):
    return Context(channel="phone", customer_utterances=tuple(words))


def test_design_contract_example():
    result = CHECK.check("I can see you don't have auto insurance with us.").to_dict()
    assert result["revealing"] is True
    assert result["findings"][0] == {"start": 0, "end": 9, "match": "I can see", "rule": "records-frame",
                                     "severity": "error", "message": result["findings"][0]["message"]}
    assert result["rewrite"] == "Do you have auto insurance with us?"


@pytest.mark.parametrize("text, rewrite", [
    ("I can see you don't have auto insurance with us.", "Do you have auto insurance with us?"),
    ("Our records show you usually fly economy.", "Do you usually fly economy?"),
    ("You haven't flown with us since March.", "Have you flown with us recently?"),
    ("I noticed you bought a tent last week.", "Did you buy a tent recently?"),
    ("Your card was declined twice last month.", "Have you had any trouble with your card?"),
    ("It says here you're a gold member.", "Are you a gold member?"),
    ("Looking at your account, you've never claimed.", "Have you ever claimed?"),
    ("Looks like you're moving house.", "Are you moving house?"),
])
def test_question_led_rewrites(text, rewrite):
    result = CHECK.check(text)
    assert result.revealing and result.rewrite == rewrite


@pytest.mark.parametrize("text", [
    "I can see you don't have auto insurance.", "our records show you usually fly economy",
    "According to our data, you prefer the aisle.", "I noticed you bought a tent.", "We noticed that you left.",
    "Based on your purchase history, you'd love this.", "Since you bought a tent, how about a stove?",
    "Your profile says you're vegetarian.", "The system shows you cancelled.", "It says here you're gold.",
    "I see that you've upgraded.", "I see you upgraded your phone.",
    "You don't have auto insurance with us yet.", "You haven't flown with us since March.",
    "Your card was declined twice last month.", "You usually order the salmon.", "You've got 3,200 points.",
    "Customers like you love this.", "People in your situation often need cover.",
    "You might be expecting a pay rise.", "Looks like you're moving house.", "You seem to be busy lately.",
    "Our system thinks you'd like it.",
    "Congratulations on the baby on the way!", "Would you like water for your medication?",
    "Since you're in debt, we could help.", "Is this for your diabetes?",
    "You were browsing our sofas.", "On Tuesday you viewed the red dress.", "Your app shows you were in Lisbon.",
    "You left items in your basket.", "You opened our email.",
])
def test_revealing_wording_is_flagged(text):
    assert CHECK.is_revealing(text), text


@pytest.mark.parametrize("text", [
    "I see what you mean.", "Let me look up your booking.", "It looks like rain later.",
    "I noticed the line was breaking up.", "You mentioned you're travelling with kids.",
    "Do you also have auto insurance?", "We also do home insurance, if that's ever useful.",
    "Your flight leaves from gate 12.", "Your refund has gone through.", "Your new card will arrive in 3-5 days.",
    "Welcome back, lovely to have you with us again.", "Is there anything else I can help with today?",
    "Out of interest, who looks after your car insurance? People often save by keeping home and car together.",
    "Do you usually fly economy?", "Have you flown with us recently?", "Did you buy a tent recently?",
    "", "   ", "?", "You", "Your",
])
def test_near_misses_pass(text):
    result = CHECK.check(text)
    assert not result.revealing, result.findings
    assert result.rewrite is None


def test_sensitive_has_no_rewrite_and_says_not_to_raise_it():
    result = CHECK.check("Would you like some water for your medication?")
    assert result.revealing and result.rewrite is None
    assert any(f["rule"] == "sensitive" and "don't raise it" in f["message"] for f in result.findings)


def test_what_the_customer_said_is_natural():
    text = "Since you're moving house, would you like to update your address?"
    assert not CHECK.is_revealing(text, said("I'm moving house next month"))
    assert not CHECK.is_revealing("You usually order the salmon, would you like it again?",
                                  said("I'll have what I usually have, the salmon"))
    assert not CHECK.is_revealing("Since you're expecting, would you like more legroom?", said("I'm pregnant"))
    assert CHECK.is_revealing("Since you're expecting, would you like more legroom?", said("Window seat please"))
    assert CHECK.is_revealing("I can see you don't have auto insurance.", said("Great, thanks, that sorted it."))


@pytest.mark.parametrize("told, line", [
    ("my wife died last week", "I'm so sorry for your loss."),
    ("Dad passed away on Sunday, I need to close his account", "I'm so sorry to hear about your loss."),
    ("We finally got married in June!", "Congratulations on the wedding!"),
    ("I just started a new job so my salary goes in on the 28th", "Congrats on the new job!"),
])
def test_empathy_with_news_the_customer_told_is_not_revealing(told, line):
    assert not CHECK.check(line, said(told)).revealing
    assert CHECK.check(line, said("I'd like to change my address please")).revealing    # news nobody told


def test_disable_switches_a_rule_off():
    text = "I can see you don't have auto insurance with us."
    assert CHECK.is_revealing(text)
    assert CHECK.is_revealing(text, None, ["records-frame"])     # the statement itself still reveals
    result = CHECK.check(text, None, ("records-frame", "held-data-statement"))
    assert not result.revealing and result.findings == [] and result.rewrite is None
    assert not CHECK.is_revealing("You usually order the salmon.", None, {"held-data-statement"})


def test_suggestions_do_not_make_text_revealing():
    result = CHECK.check("Lots of people like our breakfast buffet.")
    assert not result.revealing
    assert [f["severity"] for f in result.findings] == ["suggestion"]
    assert result.rewrite is None and result.rewrite_withheld is None


def test_offsets_point_into_the_original_text():
    text = "Thanks for waiting! Hi Sam \u2014 I can\u2019t stay long. Our records show you\u2019ve got no savings account."
    result = CHECK.check(text)
    assert result.revealing
    for f in result.findings:
        assert text[f["start"]:f["end"]] == f["match"]
    assert any(f["match"] == "Our records show" for f in result.findings)


def test_multi_sentence_rewrite_keeps_the_clean_sentences():
    result = CHECK.check("Thanks for holding. I can see you don't have auto insurance with us.")
    assert result.rewrite == "Thanks for holding. Do you have auto insurance with us?"


def test_default_checker_is_cached():
    assert default_checker() is default_checker()


def test_text_view_marks_the_match():
    text = "Our records show you usually fly economy."
    view = format_text(text, CHECK.check(text).to_dict())
    lines = view.splitlines()
    assert lines[0] == f"revealing: {text}"
    assert lines[1].index("^") == len("revealing: ") and lines[1].count("^") == len("Our records show")
    assert "records-frame" in lines[2] and lines[-1].endswith("Do you usually fly economy?")
    assert format_text("Hello.", CHECK.check("Hello.").to_dict()) == "ok: Hello."


# ---------------------------------------------------------------- rules as data

def test_every_rule_has_examples_and_they_behave():
    rules = load_rules()
    assert {"records-frame", "held-data-statement", "inference", "sensitive", "tracking"} <= {r.id for r in rules}
    for rule in rules:
        assert rule.examples["flag"] and rule.examples["pass"], rule.id
        if rule.kind == "answer":
            continue        # judged with the other rules: test_answer_rule_examples_behave
        only = Checker([rule])
        for text in rule.examples["flag"]:
            assert any(f["rule"] == rule.id for f in only.check(text).findings), (rule.id, text)
        for text in rule.examples["pass"]:
            assert not any(f["rule"] == rule.id for f in only.check(text).findings), (rule.id, text)


def test_answer_rule_examples_behave():
    """'what the customer said => what staff said': flag examples stay revealing, pass examples are answers."""
    answers = [r for r in load_rules() if r.kind == "answer"]
    assert answers
    for rule in answers:
        for want, examples in ((True, rule.examples["flag"]), (False, rule.examples["pass"])):
            for example in examples:
                said_, _, line = example.partition(" => ")
                assert CHECK.check(line, said(said_)).revealing == want, example
                assert CHECK.check(line).revealing, line      # with nothing asked, every one of them reveals


GOOD = """\
rules:
  - id: my-frame
    kind: phrase
    severity: error
    message: Cites the screen.
    patterns: ['my screen says']
    examples:
      flag: ["My screen says you fly a lot."]
      pass: ["What does your screen say?"]
"""


def test_a_valid_rule_file_loads_and_works(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD)
    checker = Checker(load_rules([path]))
    assert checker.is_revealing("Well, my screen says you fly a lot.")


@pytest.mark.parametrize("broken, where, words", [
    (GOOD.replace("      pass: [\"What does your screen say?\"]\n", ""), "8:7", "missing required key 'pass'"),
    (GOOD.replace("    examples:\n      flag: [\"My screen says you fly a lot.\"]\n"
                  "      pass: [\"What does your screen say?\"]\n", ""), "2:5", "missing required key 'examples'"),
    (GOOD.replace("    severity: error", "    severity: error\n    sevrity: warning"), "5:5", "unknown key 'sevrity'"),
    (GOOD.replace("severity: error", "severity: fatal"), "4:15", "'severity' must be one of"),
    (GOOD.replace("['my screen says']", "['my (screen says']"), "6:16", "does not compile"),
    (GOOD.replace("kind: phrase", "kind: magic"), "3:11", "'kind' must be one of"),
    (GOOD.replace("    examples:", "    said_as: {loss: died}\n    examples:"), "7:21", "'loss' must be a non-empty list"),
    (GOOD.replace("['my screen says']", "['my {place} says']"), "6:16", "no word list 'place'"),
    (GOOD.replace("    examples:", "    words: {place: ['scr(een']}\n    examples:"), "7:21", "does not compile"),
    ("rules:\n  - id: x\n    kind: phrase\n   bad: [\n", "4:4", "YAML syntax"),
])
def test_broken_rule_files_give_file_line_col(tmp_path, broken, where, words):
    path = tmp_path / "broken.yaml"
    path.write_text(broken)
    rules, problems = collect_rules([path])
    assert problems, "expected a problem"
    text = problems[0].format()
    assert text.startswith(f"{path}:{where}: error: "), text
    assert words in text
    with pytest.raises(PhrasebookError):
        load_rules([path])


def test_word_lists_stand_for_their_words_in_patterns(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD.replace("['my screen says']", "['my {place} (?:says?|shows?)']").replace(
        "    examples:", "    words:\n      place: [screen, 'records?', system]\n    examples:"))
    checker = Checker(load_rules([path]))
    assert checker.is_revealing("Well, my records show you fly a lot.")
    assert checker.is_revealing("My system says you fly a lot.")
    assert not checker.is_revealing("My place says hello.")


@pytest.mark.parametrize("broken, where, words", [
    ("misspellings:\n  records: recrods\n", "2:12", "must list its misspellings"),
    ("misspellings:\n  records: [records]\n", "2:13", "another lower-case word"),
    ("misspellings:\n  records: [recrods]\n  record: [recrods]\n", "3:12", "listed twice"),
    ("mispellings:\n  records: [recrods]\n", "1:1", "unknown key 'mispellings'"),
])
def test_a_broken_misspellings_file_gives_file_line_col(tmp_path, broken, where, words):
    path = tmp_path / "misspellings.yaml"
    path.write_text(broken)
    with pytest.raises(PhrasebookError) as caught:
        load_spelling(path)
    text = caught.value.problems[0].format()
    assert text.startswith(f"{path}:{where}: error: "), text
    assert words in text


def test_the_bundled_misspellings_load_and_correct():
    assert load_spelling()["recrods"] == "records"
    assert CHECK.is_revealing("Our recrods show you fly a lot.")


def test_parse_rules_reports_every_problem_not_just_the_first():
    text = textwrap.dedent(GOOD).replace("severity: error", "severity: fatal").replace("kind: phrase",
                                                                                      "kind: phrase\n    colour: red")
    _, problems = parse_rules(text, "x.yaml")
    assert len(problems) >= 2


# ---------------------------------------------------------------- properties

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.lists(st.sampled_from(["records-frame", "held-data-statement", "nope"]),
                                       max_size=2))
def test_never_raises_and_offsets_slice_to_match(text, disable):
    result = CHECK.check(text, None, disable)
    for f in result.findings:
        assert 0 <= f["start"] <= f["end"] <= len(text)
        assert text[f["start"]:f["end"]] == f["match"]
    assert result.revealing == any(f["severity"] in ("error", "warning") for f in result.findings)
    assert result.rewrite is None or result.revealing


words = st.sampled_from(["I", "can", "see", "you", "your", "usually", "don't", "have", "records", "show",
                         "bought", "last", "week", "noticed", "\u2019ve", "got", "points", ",", ".", "?", "medication",
                         "since", "March", "haven't", "flown", "with", "us", "u", "ur", "basket", "Lisbon"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(words, max_size=25))
def test_wordy_input_never_raises(parts):
    text = " ".join(parts)
    result = CHECK.check(text, said("I bought points"))
    for f in result.findings:
        assert text[f["start"]:f["end"]] == f["match"]


def test_lint_reports_check_rule_examples_that_misbehave(tmp_path):
    """A script writer editing a check rule hears from `tact lint` when its own examples disagree."""
    import shutil

    from tact.lint import lint_paths
    shutil.copytree("phrasebooks", tmp_path / "books")
    rules = tmp_path / "books" / "checks" / "sensitive.yaml"
    rules.write_text(rules.read_text().replace('      flag:\n', '      flag:\n        - "Lovely weather today."\n', 1))
    errors = [p for p in lint_paths([str(tmp_path / "books")]) if p.severity == "error"]
    assert [(p.file.endswith("sensitive.yaml"), p.rule) for p in errors] == [(True, "check-example")]
    assert "Lovely weather today." in errors[0].message


@pytest.mark.parametrize("text", [
    "Mr. Smith, your flight is at 5 p.m. today. Did you want a seat? Thanks!", "ok. so. you haven't paid",
    "Hi! Welcome back. Is there anything I can get you?", "I see.  You're on 3.5 GB. Right?",
    "You bought it on 3 March. It's fine.", "Great... thanks.", "e.g. this one. Or that.", "\"Thanks.\" She left.",
    "Wait?! Really!! OK.", "It's 5 p.m. Come in.", "U.K. customers. Welcome.", "You paid £12.50.\nAnything else?"])
def test_sentences_split_as_nltk_punkt_splits_them(text):
    from tact.check.sentences import _punkt, split_sentences, trim
    expected, offset = [], 0
    for line in text.split("\n"):
        expected += [trim(text, offset + a, offset + b) for a, b in _punkt().span_tokenize(line)]
        offset += len(line) + 1
    assert list(split_sentences(text)) == expected


@given(st.lists(st.sampled_from(["You", "paid", "Mr.", "p.m.", "3.5", "ok.", "Great.", "Thanks!", "really?",
                                 "e.g.", "U.K.", "(fine.)", "\"yes.\"", "...", "So", "it", "5", "A.", "?!", "\n", "i.",
                                 "(Wow!)", "'ok'.", "Hi", "paid."]),
                max_size=14))
@settings(max_examples=300, deadline=None)
def test_sentence_splitting_always_agrees_with_punkt(words):
    from tact.check.sentences import _punkt, split_sentences, trim
    text = " ".join(words)
    expected, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            expected += [trim(text, offset + a, offset + b) for a, b in _punkt().span_tokenize(line)]
        offset += len(line) + 1
    assert list(split_sentences(text)) == [s for s in expected if s[0] < s[1]]


@pytest.mark.parametrize("text", [
    "I CAN SEE YOU DON'T HAVE AUTO INSURANCE WITH US.",        # shouting: the folded patterns still match
    "İstanbul? I can see you flew there last May.",              # 'İ' lengthens when lowered: the slow path
    "Your app shows you were in Lisbon on Friday.",             # a rule part that minds case (place names)
])
def test_case_folding_never_changes_what_is_found(text):
    from tact.check import Checker
    from tact.check import load_rules
    folded = Checker(load_rules())
    plain = Checker(load_rules())
    for rule in plain.rules:
        rule.parts = ()
    assert folded.check(text).revealing
    assert [(f["start"], f["end"], f["rule"]) for f in folded.check(text).findings] == \
           [(f["start"], f["end"], f["rule"]) for f in plain.check(text).findings]


# ---------------------------------------------------------------- the conversation counts

@pytest.mark.parametrize("asked, line", [
    ("Could you tell me my current account balance?",
     "From what I can see, your current account balance is $2,114.08."),
    ("What's on my calendar for Friday?", "I can see you've got a table for two at 7 pm on Friday."),
    ("what's my balance please?", "Your current balance is \u00a31,240.50, as you asked."),
    ("Is that flight direct?", "From what I can see, this flight has 0 stops."),
    ("Did my transfer to John go through?", "I can see your transfer of $500 to John went through yesterday."),
])
def test_answering_what_the_customer_asked_is_service(asked, line):
    assert CHECK.check(line).revealing          # volunteered, the same line reveals
    assert not CHECK.check(line, said(asked)).revealing


@pytest.mark.parametrize("asked, line", [
    ("Could you tell me my current account balance?", "I can see you don't have a savings account with us."),
    ("What's on my calendar for Friday?", "I can see you usually book a table on Fridays."),
    ("Is my flight on time?", "It's on time, and I can see you always fly this route on Fridays."),
    ("Thanks, that's everything.", "From what I can see, your current account balance is $2,114.08."),
])
def test_an_answer_that_volunteers_more_or_nothing_asked_still_flags(asked, line):
    assert CHECK.check(line, said(asked)).revealing


@pytest.mark.parametrize("asked, text", [
    ("can u check my balance", "You've got $2,114.08 available in the current account."),
    ("Are my husband and I sitting together?", "I can see you're both in row 22, seats A and B."),
    ("What dates have I booked?", "From what I can see, you're with us for two nights, arriving the 12th."),
])
def test_an_answer_in_staff_words_to_what_the_customer_asked_in_theirs_is_service(asked, text):
    assert not CHECK.check(text, said(asked)).revealing


def _answer_rule_problems(tmp_path, line_9: str) -> list:
    """The problems in an answer rule whose ninth line is line_9."""
    path = tmp_path / "answer.yaml"
    path.write_text(textwrap.dedent("""\
        rules:
          - id: mine
            kind: answer
            severity: suggestion
            message: Answers what was asked.
            asking: ['\\?']
            volunteers: ['\\busually\\b']
            frame_words: [see]
            LINE_9
            examples:
              flag: ["What's my balance? => I can see you usually go overdrawn."]
              pass: ["What's my balance? => Your balance is £12."]
        """).replace("LINE_9", line_9))
    return collect_rules([path])[1]


def test_same_thing_groups_must_be_word_lists(tmp_path):
    problems = _answer_rule_problems(tmp_path, "same_thing: [balance]")
    assert any("'same_thing' must be a non-empty list of text" in p.message and p.line == 9 for p in problems), \
        [str(p) for p in problems]


@pytest.mark.parametrize("asked, text", [
    ("When do I need to have the van back?", "Your hire agreement says by 6 pm on Saturday."),
    ("Did my refund come through yet?", "Our records show the £85 was credited on Monday."),
    ("Why has my phone bill gone up?", "I can see your data went over by 3GB, which added £9."),
    ("What's my booking reference?", "Our system shows it's QX7 44K2."),
    ("Is my new router connected yet?", "Yes, the system shows it came online at 9:40 this morning."),
    ("What's the balance on my gas account?", "You're £31.20 in credit."),
    ("Why is my electricity bill so high?", "You used about 25% more than last spring, mostly in March."),
    ("How long have I been with you?", "Our records show you joined in 2016."),
    ("When will my refund arrive?", "It went back to your Visa this morning, so allow a few days."),
])
def test_a_question_answered_in_kind_is_service_whatever_words_staff_use(asked, text):
    assert not CHECK.check(text, said(asked)).revealing


@pytest.mark.parametrize("asked, text", [
    # the answer, then a second clause about the customer nobody asked for
    ("Did my transfer go through?", "It did, and I see you send Sam money every Friday."),
    ("Is my prescription ready?", "Yes, it's ready, and your wife's antidepressants are here too."),
    ("When is my next payment?", "It's on the 1st; you haven't been in since March."),
    ("When is my bill due?", "It's due on the 3rd, and I see you've paid late four months running."),
    ("Is my table still booked?", "Yes, table for four at 7, and we've noted you always ask for the window."),
    ("Has my claim been paid?", "Yes, paid today. Our model also rates you as likely to claim again."),
    ("How much data have I used?", "You've used 9 GB, mostly on video late at night."),
    # a question about the shop, not about anything of theirs
    ("What time do you close today?", "From what I can see, you're booked on the spin class for Thursday."),
])
def test_an_answer_in_kind_that_says_more_about_the_customer_still_flags(asked, text):
    assert CHECK.check(text, said(asked)).revealing


def test_answer_shapes_need_asks_and_answers(tmp_path):
    problems = _answer_rule_problems(tmp_path, "answer_shapes: {when: {asks: ['\\bwhen\\b'], replies: ['\\d']}}")
    assert any("replies" in p.message and p.line == 9 for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("text", [
    "You're only insured for the building, not what's inside it.",
    "Your plan doesn't include roaming, so Spain would cost extra.",
    "You're not covered for accidental damage.",
])
def test_a_gap_in_cover_stated_unasked_flags(text):
    assert CHECK.check(text).revealing


def test_a_gap_in_cover_asked_about_is_an_answer():
    assert not CHECK.check("Your policy doesn't cover theft abroad, I'm afraid.",
                           said("Am I covered if my phone is stolen abroad?")).revealing
