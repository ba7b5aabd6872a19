"""Receptiveness: given, or estimated from the customer's words with the signals named."""
from tact.phrasebook import load
from tact.receptiveness import estimate

CUES = load().cues


def test_given_level_is_used_as_is():
    result = estimate(("This is ridiculous!",), CUES, given="high")
    assert (result.level, result.estimated) == ("high", False)


def test_no_words_and_no_level_is_medium():
    result = estimate((), CUES)
    assert (result.level, result.estimated, result.signals) == ("medium", True, ())


def test_warm_customer_reads_high():
    result = estimate(("Great, thanks so much, that sorted it.", "You've been really helpful."), CUES)
    assert result.level == "high"
    assert "positive sentiment" in result.signals


def test_hurried_terse_customer_reads_low():
    result = estimate(("I'm in a hurry.", "Fine.", "Just do it quickly."), CUES)
    assert result.level == "low"
    assert "hurry" in result.signals and "terse" in result.signals


def test_repeat_complaint_reads_low():
    result = estimate(("This is the third time I've called about this and it's still not fixed. Unacceptable.",), CUES)
    assert result.level == "low"
    assert {"repeat contact", "complaint"} <= set(result.signals)


def test_distress_is_flagged_from_words_and_from_reason():
    assert estimate(("We're evacuating, the wildfire is close.",), CUES).distress
    assert estimate((), CUES, given="high", reason="bereavement").distress
    assert not estimate(("Can I change my seat?",), CUES).distress


def test_an_angry_complaint_is_distress_and_named():
    result = estimate(("I'm furious, this is the worst service I've ever had.",), CUES)
    assert result.distress and result.level == "low" and "anger" in result.signals
    given = estimate(("I'm absolutely livid about this bill.",), CUES, given="high")
    assert given.distress and given.signals == ("anger",)
    assert not estimate(("The delay was annoying, but thanks for sorting it.",), CUES).distress


def test_quick_tokens_match_nltk_vader():
    """Our faster SentiText must read every utterance exactly as NLTK's does."""
    from nltk.sentiment import vader

    from tact.receptiveness import _analyzer
    constants = _analyzer().constants
    quick, original = vader.SentiText, vader.SentiText.__mro__[1]
    assert quick is not original
    for text in ["Great!!! thanks :) so good,", "NOT happy... at ALL!?", "(sigh) fine.", "\"ok\" thanks",
                 "wow!! :-( no.", "... meh ...", "I'm in a hurry, just fix it!", "x", "", "it's 5pm?!?"]:
        args = (text, constants.PUNC_LIST, constants.REGEX_REMOVE_PUNCTUATION)
        assert quick(*args).words_and_emoticons == original(*args).words_and_emoticons, text
