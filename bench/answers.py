"""How to choose the answer sentence: selector, passage evidence and reader, weighed on TQuAD dev.

    .venv/bin/python bench/answers.py [--squad ../shared/data/tquad/dev.json] [--config bilge.toml]
                                      [--limit N | --sample N]

Indexes the dev paragraphs once (the `--paragraphs` protocol), and for every question saves what
the answer step sees: the top `answer.passages` retrieved passages with their fused scores, the
selector's logit and the lexical coverage of each of their sentences, and the reader's margin
for the few sentences any weighting could send to it; the same for the gold paragraph alone.
Then replays the answer score
`logit + passage_weight × fused + lexical_weight × coverage + reader_weight × margin`
over a grid: the weights are picked on the even-numbered questions and reported on the odd
ones, with the reader reading the configured `answer.reader_candidates` best sentences; then
the configured weights with the reader reading 1 to 6 of them, which is how that count is
chosen. Metrics: the share of questions whose chosen sentence is the gold one (holds the answer
start), given the retrieved passages and given the gold paragraph (paragraphs of two sentences
or more), and the lexical baseline alone (`Bm25Index.coverage`: idf-weighted overlap of
5-character stems) on the gold paragraph. Last, `answer.span_min_score`: the answer's exact
match and F1 over the questions whose chosen sentence is the gold one, when the reader's span
is shown only from a margin up (else the sentence), picked on the even half the same way.
`--sample N` reads N questions drawn from the whole file (seeded, in file order, as `bilge eval
answers --sample`): the first N of dev.json are a few articles of the training data's domain.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tqdm import tqdm  # noqa: E402

from bilge.config import load_config  # noqa: E402
from assistant.evaluation import asked_questions  # noqa: E402
from assistant.extractive import tidy_span  # noqa: E402
from retrievers.answer_metrics import best_of  # noqa: E402
from retrievers.embeddings import load_embedder  # noqa: E402
from retrievers.evaluation import EVAL_COLLECTION, paragraphs_set, temporary_store  # noqa: E402
from retrievers.rerank import load_reranker  # noqa: E402
from retrievers.search import Searcher  # noqa: E402
from retrievers.selector import Passage, ScoredSentence, answer_candidates, load_selector  # noqa: E402
from retrievers.sentences import selector_text  # noqa: E402
from retrievers.squad import load_squad  # noqa: E402
from retrievers.turkish import sentence_spans  # noqa: E402

PASSAGE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
LEXICAL_WEIGHTS = (0.0, 1.0, 2.0, 4.0, 8.0)
READER_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)
READS = (1, 2, 3, 4, 5, 6)  # how many sentences the reader reads (answer.reader_candidates), compared


@dataclass
class Candidate:
    passage: int
    start: int
    end: int
    logit: float
    fused: float
    lexical: float
    gold: bool
    margin: float | None = None
    span: str = ""
    sentence: str = ""


@dataclass
class Question:
    answers: list[str] = field(default_factory=list)
    retrieved: list[Candidate] = field(default_factory=list)
    in_gold: list[Candidate] = field(default_factory=list)
    lexical_right: bool = False


def read_needed(candidates: list[Candidate], selector, question: str, passages: list[Passage], read: int) -> None:
    """The reader's margin for every sentence that some weighting puts in the top `read`."""
    wanted = {id(c): c for w, lw in itertools.product(PASSAGE_WEIGHTS, LEXICAL_WEIGHTS)
              for c in sorted(candidates, key=lambda c: -before_reading(c, w, lw))[:read]}
    for c in wanted.values():
        result = selector.read(question, passages[c.passage], ScoredSentence(c.passage, c.start, c.end, c.logit, 0.0))
        c.margin = result.margin
        c.span = tidy_span(passages[c.passage].text[result.answer[0]:result.answer[1]]) if result.answer else ""
        c.sentence = passages[c.passage].text[c.start:c.end]


def collect(cfg, squad: Path, limit: int | None, sample: int | None, read: int) -> list[Question]:
    evalset = paragraphs_set(load_squad(squad))
    embedder, reranker = load_embedder(cfg), load_reranker(cfg)
    asked = asked_questions([qid for qid in evalset.questions if qid in evalset.gold], limit, sample)
    questions = []
    with temporary_store(cfg, evalset, embedder) as (eval_cfg, store):
        searcher = Searcher(eval_cfg, EVAL_COLLECTION, store=store, embedder=embedder, reranker=reranker)
        selector = load_selector(eval_cfg, reranker)
        for qid in tqdm(asked, desc="questions"):
            text = evalset.questions[qid]
            source, index, offset = evalset.gold[qid]
            gold_chunk = evalset.documents[source][1][index]
            record = Question(evalset.answers[qid])
            hits = searcher.search(text, "rerank", cfg.retrieval.k)[:cfg.answer.passages]
            passages = [Passage(h.text, score=h.scores["fused"]) for h in hits]
            gold_id = next(iter(evalset.qrels[qid]))
            record.retrieved = candidates(selector, searcher.bm25.coverage, text, passages,
                                          lambda p, s, e: hits[p].chunk_id == gold_id and s <= offset < e)
            read_needed(record.retrieved, selector, text, passages, read)
            spans = list(sentence_spans(gold_chunk.text))
            if len(spans) > 1:
                gold_passage = [Passage(gold_chunk.text)]
                record.in_gold = candidates(selector, searcher.bm25.coverage, text, gold_passage,
                                            lambda p, s, e: s <= offset < e)
                read_needed(record.in_gold, selector, text, gold_passage, read)
                record.lexical_right = max(record.in_gold, key=lambda c: c.lexical).gold
            questions.append(record)
    return questions


def candidates(selector, coverage, question: str, passages: list[Passage], is_gold) -> list[Candidate]:
    """Every sentence of `passages` with the selector's logit and its lexical coverage of the
    question, among the sentences the app would consider (`answer_candidates`); `is_gold(passage,
    start, end)`."""
    spans = answer_candidates(question, passages)
    texts = [passages[s.passage].text[s.start:s.end] for s in spans]
    logits = selector.model.logits(question, [selector_text(text) for text in texts])
    return [Candidate(s.passage, s.start, s.end, logit, passages[s.passage].score, coverage(question, text),
                      is_gold(s.passage, s.start, s.end))
            for s, logit, text in zip(spans, logits, texts)]


Weights = tuple[float, float, float]  # passage, lexical, reader


def before_reading(c: Candidate, passage_weight: float, lexical_weight: float) -> float:
    return c.logit + passage_weight * c.fused + lexical_weight * c.lexical


def choose(candidates: list[Candidate], weights: Weights, read: int) -> Candidate | None:
    """The best sentence when the reader reads the `read` best before reading (as the app does)."""
    if not candidates:
        return None
    passage_weight, lexical_weight, reader_weight = weights
    first = sorted(candidates, key=lambda c: -before_reading(c, passage_weight, lexical_weight))
    top = first[:read] if reader_weight else first[:1]
    return max(top, key=lambda c: before_reading(c, passage_weight, lexical_weight) + reader_weight * (c.margin or 0.0))


def share_right(questions: list[Question], attribute: str, weights: Weights, read: int) -> float:
    pools = [getattr(q, attribute) for q in questions if getattr(q, attribute)]
    right = sum(bool((c := choose(pool, weights, read)) and c.gold) for pool in pools)
    return right / max(len(pools), 1)


SPAN_THRESHOLDS = (-99.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0)


def span_quality(questions: list[Question], weights: Weights, read: int, threshold: float) -> tuple[float, float]:
    """(exact match, F1) of the answer shown (the span from `threshold` up, else the sentence) over
    the questions whose chosen sentence is the gold one."""
    shown = []
    for q in questions:
        chosen = choose(q.retrieved, weights, read)
        if chosen is not None and chosen.gold and chosen.margin is not None:
            shown.append(best_of(chosen.span if chosen.margin >= threshold else chosen.sentence, q.answers))
    return (sum(em for em, _ in shown) / max(len(shown), 1), sum(f1 for _, f1 in shown) / max(len(shown), 1))


SHARES_HEADER = (f"{'given retrieved: even':>22} {'odd':>6} {'all':>6} "
                 f"{'given gold: even':>17} {'odd':>6} {'all':>6}")


def shares(questions: list[Question], weights: Weights, read: int) -> str:
    """The share right given the retrieved passages and given the gold paragraph (where the
    passage weight has nothing to weigh), on the even half, the odd half and all, as one row."""
    even, odd = questions[::2], questions[1::2]
    gold_weights = (0.0, *weights[1:])
    return (" ".join(f"{share_right(part, 'retrieved', weights, read):{width}.3f}"
                     for part, width in ((even, 22), (odd, 6), (questions, 6)))
            + " " + " ".join(f"{share_right(part, 'in_gold', gold_weights, read):{width}.3f}"
                             for part, width in ((even, 17), (odd, 6), (questions, 6))))


def print_weights(questions: list[Question], rows: list[Weights], read: int) -> None:
    """Share right per weighting, the reader reading `read` sentences."""
    print(f"{'passage w':>9} {'lexical w':>9} {'reader w':>8} {SHARES_HEADER}")
    for weights in rows:
        print(" ".join(f"{w:{width}.2f}" for w, width in zip(weights, (9, 9, 8))) + " "
              + shares(questions, weights, read))


def print_reads(questions: list[Question], weights: Weights) -> None:
    """Share right per number of sentences the reader reads, at `weights`."""
    print(f"{'reader reads':>12} {SHARES_HEADER}")
    for read in READS:
        print(f"{read:12d} " + shares(questions, weights, read))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=ROOT.parent / "shared" / "data" / "tquad" / "dev.json")
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--limit", type=int, default=None, help="first N questions only")
    parser.add_argument("--sample", type=int, default=None,
                        help="N questions drawn from the whole file (seeded, as `bilge eval answers --sample`)")
    args = parser.parse_args()
    if args.limit and args.sample:
        parser.error("--limit and --sample: give one")
    cfg = load_config(args.config)
    read = cfg.answer.reader_candidates
    questions = collect(cfg, args.squad, args.limit, args.sample, max(*READS, read))
    even, odd = questions[::2], questions[1::2]
    grid = list(itertools.product(PASSAGE_WEIGHTS, LEXICAL_WEIGHTS, READER_WEIGHTS))
    best = max(grid, key=lambda w: share_right(even, "retrieved", w, read))
    best_gold = max(((0.0, lw, rw) for lw, rw in itertools.product(LEXICAL_WEIGHTS, READER_WEIGHTS)),
                    key=lambda w: share_right(even, "in_gold", w, read))
    with_gold = [q for q in questions if q.in_gold]
    print(f"{len(questions)} questions, {len(with_gold)} with a gold paragraph of two sentences or more; "
          f"the reader reads {read} sentences")
    lexical_alone = sum(q.lexical_right for q in with_gold) / max(len(with_gold), 1)
    print(f"lexical coverage alone, gold paragraph: {lexical_alone:.3f}")
    configured = (cfg.answer.passage_weight, cfg.answer.lexical_weight, cfg.answer.reader_weight)
    print_weights(questions, sorted({(0.0, 0.0, 0.0), (best[0], 0.0, 0.0), (0.0, best[1], 0.0), (0.0, 0.0, best[2]),
                                     (best[0], best[1], 0.0), best, configured}), read)
    print(f"chosen on the even half: passage_weight {best[0]}, lexical_weight {best[1]}, reader_weight {best[2]} "
          f"(given the gold paragraph alone: lexical_weight {best_gold[1]}, reader_weight {best_gold[2]})")
    print_reads(questions, configured)
    threshold = max(SPAN_THRESHOLDS, key=lambda t: span_quality(even, best, read, t)[1])
    print(f"{'span from margin':>16} {'EM even':>8} {'F1 even':>8} {'EM odd':>7} {'F1 odd':>7}")
    for t in SPAN_THRESHOLDS:
        (em_even, f1_even), (em_odd, f1_odd) = span_quality(even, best, read, t), span_quality(odd, best, read, t)
        print(f"{t:16.1f} {em_even:8.3f} {f1_even:8.3f} {em_odd:7.3f} {f1_odd:7.3f}")
    print(f"chosen on the even half: span_min_score {threshold}")


if __name__ == "__main__":
    main()
