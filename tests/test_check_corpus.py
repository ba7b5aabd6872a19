"""The check measured on a labelled corpus of staff sentences: precision and recall each at least 0.9."""

import pytest

from tact.check import default_checker
from tact.model import Context

from tact.check.train import bundled_corpus, read_corpus

ROWS = read_corpus(bundled_corpus())


def judge(row) -> bool:
    said = tuple(row.get("utterances", ()))
    context = Context(channel=row.get("channel") or "phone", customer_utterances=said) if said else None
    return default_checker().check(row["text"], context).revealing


def test_corpus_is_big_varied_and_labelled():
    assert len(ROWS) >= 330
    assert all({"text", "revealing", "kind", "why"} <= set(row) for row in ROWS)
    near = [r for r in ROWS if not r["revealing"]]
    assert len(near) >= len(ROWS) / 3
    assert len({r["industry"] for r in ROWS}) >= 7 and len({r["channel"] for r in ROWS}) >= 3


def test_precision_and_recall_at_least_0_9(capsys):
    tp = fp = fn = 0
    misses = []
    for row in ROWS:
        got = judge(row)
        tp += got and row["revealing"]
        fp += got and not row["revealing"]
        fn += (not got) and row["revealing"]
        if got != row["revealing"]:
            misses.append(f"{'FP' if got else 'FN'} [{row['kind']}] {row['text']}")
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    with capsys.disabled():
        print(f"\ncheck corpus: {len(ROWS)} sentences, precision {precision:.3f}, recall {recall:.3f}")
        for line in misses:
            print("  " + line)
    assert precision >= 0.9 and recall >= 0.9


@pytest.mark.parametrize("kind", sorted({r["kind"] for r in ROWS}))
def test_each_kind_mostly_right(kind):
    rows = [r for r in ROWS if r["kind"] == kind]
    right = sum(judge(r) == r["revealing"] for r in rows)
    assert right / len(rows) >= 0.8, kind
