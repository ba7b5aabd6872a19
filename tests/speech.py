"""What the behaviour tests read of an answer: the rules that decided it and every line it offers to say."""
from tact import Engine

ENGINE = Engine()


def suggest(datapoint: dict, **context) -> dict:
    """A data point from the account record, on a phone call, unless the test says otherwise."""
    return ENGINE.suggest({"datapoint": {"provenance": "account_record", **datapoint},
                           "context": {"channel": "phone", **context}})


def rules(result: dict) -> set[str]:
    return {r["rule"] for r in result["reasons"]}


def said(result: dict) -> str:
    """Every line offered to say, at any tone, lower-cased and joined."""
    return " ".join([s["text"] for s in result["suggestions"]]
                    + [s["text"] for group in result["alternatives"].values() for s in group]).lower()
