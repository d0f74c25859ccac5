"""The abstention rule, chosen for a stated precision on questions the documents cannot answer.

    .venv/bin/bilge --config C eval abstention --squad ../shared/data/tquad/dev.json \
        --details bench/out/abstention.jsonl
    .venv/bin/python bench/abstention.py bench/out/abstention.jsonl [--precision 0.9] [--plot docs/abstention.png]
        [--rule 3.5,0.1,0.05,-4,0] [--zipf 3.5] [--document-zipf 4.0 --document-margin 11] [--proper-zipf 5.0]

Run the first command with a config whose thresholds are 0 (`answer.min_score`,
`answer.sentence_min_score`), `answer.max_rewrites = 0`, `answer.check_names = false` and the
document check recording without abstaining (`answer.document_name_max_zipf = 8`,
`answer.document_min_margin = -100`), so every question is answered and its evidence recorded:
the scores, the words the collection lacks with their Zipf frequency, and the Zipf frequency of
the rarest question word the answering document lacks. This script then replays the rule
"abstain when a missing word is rarer than z; else answer when the best passage's cross-encoder score ≥ p, the best
sentence's selector probability ≥ s and the reader's margin for it ≥ m, or ≥ u when the question
has a word no document contains" over a grid: it picks (z, p, s, m, u) on the first store half —
the rule that answers the most answerable questions and abstains on the most unanswerable ones
among those whose abstentions are right at least `--precision` of the time — and reports it on
the second. A yes/no question is also answered when its sentence's probability reaches
`--yes-no` (`answer.yes_no_min_sentence`, not searched: chosen on leaflet paraphrases, where
yes/no questions are common and TQuAD has few), and any question when the reader's margin
reaches `--reader-sure` (`answer.reader_sure_margin`, not searched either: the shipped 8 is the
highest of `--reader-sure 12`, 11, …, 6 with the best answered + abstained on half 1, the rest
fixed to the shipped rule), whatever the selector says, when it has no word the collection
lacks; and, with `--document-zipf z` (`answer.document_name_max_zipf`, not searched), only with a
reader margin of `--document-margin` (`answer.document_min_margin`) when the answering
sentence's document lacks a word of the question rarer than z that another document holds
(recorded as `scores.unmentioned_zipf`); with `--proper-zipf z` (`answer.proper_name_max_zipf`, not
searched), a word the collection lacks also abstains below z when the question writes it as a
name (`assistant.questions.proper_names`). It prints the coverage–risk table of each score
alone and of the rule, and plots the curves (coverage: share of all questions answered; risk:
share of answered ones not right, i.e. unanswerable, or answerable with a quote that does not
hold the answer).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.questions import names_what_is_missing

GRID = [round(0.05 * i, 2) for i in range(20)]
ZIPF = (0.0, 3.0, 3.5, 4.0, 4.5)  # 0: no name rule
MARGINS = (-100.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0)  # -100: no margin rule (answer.reader_min_margin)
UNFAMILIAR = (-100.0, -2.0, 0.0, 2.0)  # answer.unfamiliar_min_margin; -100: off


def load(path: Path) -> list[dict]:
    """The records, each missing word's frequency computed again by the code as it is now
    (`assistant.questions.name_frequency`), so a changed name rule replays without a new run;
    `names`: those the name check reads (the question's verb is never a name)."""
    from assistant.questions import asks_yes_or_no, name_candidates, name_frequency, proper_names
    from retrievers.turkish import turkish_casefold

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for record in records:
        record["missing_names"] = {name: name_frequency(name) for name in record["missing_names"]}
        candidates = set(name_candidates(record["question"], math.inf))
        record["names"] = {n: f for n, f in record["missing_names"].items() if n in candidates}
        record["yes_no"] = asks_yes_or_no(record["question"])
        proper = proper_names(record["question"])
        record["proper"] = {n for n in record["names"] if turkish_casefold(n) in proper}
    return records


def named(record: dict, zipf: float, proper_zipf: float) -> bool:
    """The question names a word the collection lacks, rarer than `zipf` in general Turkish, or
    rarer than `proper_zipf` when written as a name: the graph's own
    `assistant.questions.names_what_is_missing`."""
    return any(names_what_is_missing(frequency, name in record["proper"], zipf, proper_zipf)
               for name, frequency in record["names"].items())


class Rule(NamedTuple):
    """The thresholds of `assistant.graph.vouched` and the name checks, as `answer.*` names them."""

    zipf: float  # name_max_zipf
    passage: float  # min_score
    sentence: float  # sentence_min_score
    margin: float  # reader_min_margin
    unfamiliar: float  # unfamiliar_min_margin
    yes_no: float  # yes_no_min_sentence
    reader_sure: float  # reader_sure_margin
    document: float  # document_name_max_zipf
    document_margin: float  # document_min_margin
    proper: float  # proper_name_max_zipf


def verdict(rule: Rule) -> Callable[[dict], bool]:
    """Whether `rule` answers a record: the name check at its Zipf bar, then the graph's own
    `assistant.graph.vouched` with the rule's thresholds, on the recorded scores."""
    from assistant.graph import vouched
    from bilge.config import AnswerConfig

    cfg = AnswerConfig().model_copy(update={
        "min_score": rule.passage, "sentence_min_score": rule.sentence, "reader_min_margin": rule.margin,
        "unfamiliar_min_margin": rule.unfamiliar, "yes_no_min_sentence": rule.yes_no,
        "reader_sure_margin": rule.reader_sure, "document_name_max_zipf": rule.document,
        "document_min_margin": rule.document_margin})

    def answers(record: dict) -> bool:
        scores = record["scores"]
        return not named(record, rule.zipf, rule.proper) and vouched(
            cfg, scores.get("passage", 0.0), scores.get("sentence", 0.0), scores.get("reader_margin"),
            yes_no=record["yes_no"], unfamiliar=bool(record["missing_names"]),
            unmentioned_zipf=scores.get("unmentioned_zipf", math.inf))

    return answers


def right(record: dict) -> bool:
    return record["kind"] == "answerable" and bool(record.get("quote_has_answer"))


def rates(records: list[dict], rule) -> dict[str, float]:
    answerable = [r for r in records if r["kind"] == "answerable"]
    unanswerable = [r for r in records if r["kind"] != "answerable"]
    abstained = [r for r in records if not rule(r)]
    answered = [r for r in records if rule(r)]
    correct_abstentions = sum(r["kind"] != "answerable" for r in abstained)
    return {"answered_answerable": sum(rule(r) for r in answerable) / max(len(answerable), 1),
            "abstained_unanswerable": sum(not rule(r) for r in unanswerable) / max(len(unanswerable), 1),
            "abstention_precision": correct_abstentions / max(len(abstained), 1),
            "coverage": len(answered) / max(len(records), 1),
            "risk": sum(not right(r) for r in answered) / max(len(answered), 1)}


def choose(records: list[dict], precision: float, routes: tuple[float, ...],
           zipf: tuple[float, ...] = ZIPF) -> Rule:
    """The rule with the most right answers and abstentions among those whose abstention
    precision reaches `precision` (the most precise rule when none does); `routes`: the
    thresholds after the searched five, fixed."""
    grid = [Rule(*searched, *routes) for searched in itertools.product(zipf, GRID, GRID, MARGINS, UNFAMILIAR)]
    scored = [(rates(records, verdict(rule)), rule) for rule in grid]
    meeting = [(m, t) for m, t in scored if m["abstention_precision"] >= precision]
    if not meeting:
        return max(scored, key=lambda item: item[0]["abstention_precision"])[1]
    return max(meeting, key=lambda item: (item[0]["answered_answerable"] + item[0]["abstained_unanswerable"]))[1]


def ladder(best: Rule) -> dict[str, Rule]:
    """`best` built up one part at a time from answering everything, each row adding a part."""
    rule = best._replace(zipf=0.0, passage=0.0, sentence=0.0, margin=-100.0, unfamiliar=-100.0, yes_no=1.0,
                         reader_sure=100.0, document=0.0, proper=0.0)
    parts = [(f"names rarer than {best.zipf} only", {"zipf": best.zipf}),
             (f"names < {best.zipf} + passage ≥ {best.passage} + sentence ≥ {best.sentence}",
              {"passage": best.passage, "sentence": best.sentence}),
             (f"  + margin ≥ {best.margin}, or sentence ≥ {best.yes_no} for yes/no",
              {"margin": best.margin, "yes_no": best.yes_no}),
             (f"  + margin ≥ {best.unfamiliar} for a word in no document", {"unfamiliar": best.unfamiliar}),
             (f"  + or reader margin ≥ {best.reader_sure} whatever the sentence", {"reader_sure": best.reader_sure})]
    if best.document:
        parts.append((f"  + margin ≥ {best.document_margin} from a document lacking a word < {best.document}",
                      {"document": best.document}))
    if best.proper:
        parts.append((f"  + words written as names < {best.proper}", {"proper": best.proper}))
    rules = {"nothing (always answer)": rule}
    for label, part in parts:
        rule = rules[label] = rule._replace(**part)
    return rules


def curve(records: list[dict], confidence, rule: Rule) -> list[tuple[float, float]]:
    """(coverage, risk) answering the most confident questions first (named ones never)."""
    candidates = sorted((r for r in records if not named(r, rule.zipf, rule.proper)), key=confidence,
                        reverse=True)
    points, wrong = [], 0
    for n, record in enumerate(candidates, start=1):
        wrong += not right(record)
        points.append((n / len(records), wrong / n))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("details", type=Path)
    parser.add_argument("--precision", type=float, default=0.9)
    parser.add_argument("--plot", type=Path, default=None)
    parser.add_argument("--rule", default=None,
                        help="report this rule (zipf,passage,sentence,margin,unfamiliar: the shipped one) instead "
                             "of the chosen")
    parser.add_argument("--zipf", type=float, default=None,
                        help="search the other thresholds at this name bar only (answer.name_max_zipf), e.g. the "
                             "one chosen on leaflet paraphrases, where a small folder lacks many plain words")
    parser.add_argument("--yes-no", type=float, default=0.9, help="answer.yes_no_min_sentence (1: no yes/no route)")
    parser.add_argument("--reader-sure", type=float, default=8.0,
                        help="answer.reader_sure_margin (100: no reader-sure route)")
    parser.add_argument("--document-zipf", type=float, default=0.0,
                        help="answer.document_name_max_zipf (0: off; needs records with scores.unmentioned_zipf)")
    parser.add_argument("--document-margin", type=float, default=11.0, help="answer.document_min_margin")
    parser.add_argument("--proper-zipf", type=float, default=0.0, help="answer.proper_name_max_zipf (0: off)")
    args = parser.parse_args()
    records = load(args.details)
    first, second = [r for r in records if r["half"] == 1], [r for r in records if r["half"] == 2]
    routes = (args.yes_no, args.reader_sure, args.document_zipf, args.document_margin, args.proper_zipf)
    best = choose(first, args.precision, routes, ZIPF if args.zipf is None else (args.zipf,))
    print(f"chosen on half 1 for abstention precision ≥ {args.precision}: answer.name_max_zipf = {best.zipf}, "
          f"answer.min_score = {best.passage}, answer.sentence_min_score = {best.sentence}, "
          f"answer.reader_min_margin = {best.margin}, answer.unfamiliar_min_margin = {best.unfamiliar}")
    if args.rule:
        best = Rule(*(float(value) for value in args.rule.split(",")), *routes)
        print(f"reported instead: {best}")
    print(f"{'rule':62} {'half':>5} {'answered answerable':>20} {'abstained unanswerable':>23} {'precision':>10}")
    for label, rule in ladder(best).items():
        for half, part in (("1", first), ("2", second), ("all", records)):
            m = rates(part, verdict(rule))
            print(f"{label:62} {half:>5} {m['answered_answerable']:20.3f} {m['abstained_unanswerable']:23.3f} "
                  f"{m['abstention_precision']:10.3f}")
    kinds = sorted({r["kind"] for r in records})
    chosen = verdict(best)
    shares = {kind: [not chosen(r) for r in records if r["kind"] == kind] for kind in kinds}
    print("abstained per kind (chosen rule, all): "
          + ", ".join(f"{kind} {sum(share) / len(share):.3f}" for kind, share in shares.items()))
    confidences = {"passage (cross-encoder)": lambda r: r["scores"].get("passage", 0.0),
                   "sentence (selector)": lambda r: r["scores"].get("sentence", 0.0),
                   "reader margin": lambda r: r["scores"].get("reader_margin", -99.0),
                   "min(passage, sentence)": lambda r: min(r["scores"].get("passage", 0.0),
                                                          r["scores"].get("sentence", 0.0))}
    print(f"{'confidence':26} " + " ".join(f"risk@{c:.1f}" for c in (0.3, 0.4, 0.5, 0.6)))
    curves = {name: curve(records, fn, best) for name, fn in confidences.items()}
    for name, points in curves.items():
        print(f"{name:26} " + " ".join(f"{risk_at(points, c):8.3f}" for c in (0.3, 0.4, 0.5, 0.6)))
    if args.plot:
        plot(curves, rates(records, chosen), args.plot)


def risk_at(points: list[tuple[float, float]], coverage: float) -> float:
    reached = [risk for c, risk in points if c >= coverage]
    return reached[0] if reached else float("nan")


def plot(curves: dict[str, list[tuple[float, float]]], chosen: dict[str, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for name, points in curves.items():
        axes.plot([c for c, _ in points], [r for _, r in points], label=name)
    axes.scatter([chosen["coverage"]], [chosen["risk"]], color="black", zorder=3, label="the rule reported")
    axes.set_xlabel("coverage (share of all questions answered)")
    axes.set_ylabel("risk (share of answers not right)")
    axes.set_title("Bilge abstention on TQuAD dev with unanswerable questions")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)


if __name__ == "__main__":
    main()
