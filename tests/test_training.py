"""Tiny versions of the trainers on a handful of real pairs (skipped without ../shared/data)."""

from __future__ import annotations

import json

import pytest

from training.common import Recipe


@pytest.fixture
def recipe(tmp_path, tiny_model_dir):
    return Recipe(output=tmp_path / "out", base=tiny_model_dir, max_steps=6, batch_size=8, eval_steps=3,
                  patience=2, dev_questions=40, learning_rate=5e-4)


def test_embedder_smoke_run_keeps_the_best_checkpoint(recipe, shared_data):
    from sentence_transformers import SentenceTransformer

    from training.embedder import train_embedder

    result = train_embedder(recipe, shared_data, "bilge train embedder (test)")
    card = json.loads((recipe.output / "metrics.json").read_text(encoding="utf-8"))
    assert card["dev_metrics"] == result["metrics"]
    assert set(result["metrics"]) >= {"dev_mrr@10", "dev_recall@1"}
    state = json.loads(sorted((recipe.output / "checkpoints").glob("checkpoint-*/trainer_state.json"))[-1].read_text())
    best = max(e["eval_dev_mrr@10"] for e in state["log_history"] if "eval_dev_mrr@10" in e)
    assert state["best_metric"] == pytest.approx(best)
    assert result["metrics"]["dev_mrr@10"] == pytest.approx(best, abs=1e-6)  # the saved model is the best one
    assert list(recipe.output.glob("weights.pack-*.safetensors"))  # ready to commit under models/
    reloaded = SentenceTransformer(str(recipe.output), device="cpu")
    assert reloaded.encode(["soru"]).shape == (1, 32)


def test_output_with_a_model_and_no_checkpoint_is_refused(recipe):
    from bilge.errors import InputError
    from training.common import last_checkpoint

    recipe.output.mkdir(parents=True)
    (recipe.output / "model.safetensors").write_bytes(b"x")
    with pytest.raises(InputError, match="already holds a model"):
        last_checkpoint(recipe)


def test_reranker_smoke_run(recipe, shared_data):
    from training.reranker import train_reranker

    result = train_reranker(recipe, shared_data, "bilge train reranker (test)", layers=1)
    assert "dev_mrr@10" in result["metrics"]
    assert (recipe.output / "README.md").read_text(encoding="utf-8").startswith("# Bilge Turkish cross-encoder")


def test_a_distilled_reranker_learns_its_teachers_scores(recipe, shared_data, tmp_path, tiny_model_dir):
    """--teacher: the student regresses on the teacher's logits (here all near 3), so its loss falls."""
    import torch

    from training.reranker import mean_pooled_cross_encoder, train_reranker

    teacher = mean_pooled_cross_encoder(tiny_model_dir, 2)
    torch.nn.init.constant_(teacher[2].linear.bias, 3.0)
    teacher.save(str(tmp_path / "teacher"))
    recipe.max_steps, recipe.learning_rate = 30, 1e-2
    train_reranker(recipe, shared_data, "bilge train reranker (test)", layers=1, teacher=tmp_path / "teacher")
    state = json.loads(sorted((recipe.output / "checkpoints").glob("checkpoint-*/trainer_state.json"))[-1].read_text())
    losses = [entry["loss"] for entry in state["log_history"] if "loss" in entry]
    assert losses[-1] < 0.8 * losses[0]
    assert "the logits of the teacher" in (recipe.output / "README.md").read_text(encoding="utf-8")


def test_teacher_labels_are_its_logits_on_a_seeded_sample(tmp_path, tiny_model_dir):
    import torch

    from training.reranker import mean_pooled_cross_encoder, teacher_labelled

    teacher = mean_pooled_cross_encoder(tiny_model_dir, 2)
    teacher.save(str(tmp_path / "teacher"))
    rows = {"query": [f"soru {i}" for i in range(10)], "passage": [f"Işık ve ısı {i}." for i in range(10)],
            "label": [1.0] * 10}
    labelled = teacher_labelled(rows, tmp_path / "teacher", 4, seed=1)
    assert labelled == teacher_labelled(rows, tmp_path / "teacher", 4, seed=1)  # resumable: the same sample
    assert len(labelled["query"]) == 4 and labelled["query"] != rows["query"][:4]
    expected = teacher.predict(list(zip(labelled["query"], labelled["passage"])), activation_fn=torch.nn.Identity())
    assert labelled["label"] == pytest.approx([float(x) for x in expected], abs=1e-5)
    assert all(rows["passage"][rows["query"].index(q)] == p for q, p in zip(labelled["query"], labelled["passage"]))


def test_a_missing_teacher_is_refused_before_any_work(recipe, shared_data, tmp_path):
    from bilge.errors import InputError
    from training.reranker import train_reranker

    with pytest.raises(InputError, match="--teacher"):
        train_reranker(recipe, shared_data, "bilge train reranker (test)", layers=1, teacher=tmp_path / "yok")
    assert not recipe.output.exists()


def test_a_cross_encoder_base_keeps_its_head_and_the_chosen_layers(tmp_path, tiny_model_dir):
    """Pruning a trained cross-encoder: the kept layers and the scoring head are the trained ones."""
    import torch
    from sentence_transformers import CrossEncoder

    from training.reranker import cross_encoder_from, mean_pooled_cross_encoder

    trained = mean_pooled_cross_encoder(tiny_model_dir, 2)
    trained.save(str(tmp_path / "ce"))
    pairs = [("Parasetamol kaç kez alınır?", "Günde en fazla dört kez alınır."),
             ("Işık", "Serin yerde saklayınız.")]
    whole = cross_encoder_from(tmp_path / "ce", [0, 1])
    assert whole.predict(pairs) == pytest.approx(trained.predict(pairs), abs=1e-6)  # same layers, same head

    pruned = cross_encoder_from(tmp_path / "ce", [1])
    layer = pruned[0].auto_model.encoder.layer
    assert len(layer) == 1 and pruned[0].auto_model.config.num_hidden_layers == 1
    assert torch.equal(layer[0].output.dense.weight, trained[0].auto_model.encoder.layer[1].output.dense.weight)
    assert torch.equal(pruned[2].linear.weight, trained[2].linear.weight)  # the trained head, not a new one
    pruned.save(str(tmp_path / "pruned"))
    reloaded = CrossEncoder(str(tmp_path / "pruned"), device="cpu")
    assert reloaded.predict(pairs) == pytest.approx(pruned.predict(pairs), abs=1e-6)


@pytest.mark.parametrize("spec, kept", [("2", [0, 1]), ("0,2", [0, 2]), (" 1 ", [0])])
def test_layer_choices_are_a_count_or_a_list(spec, kept):
    from training.reranker import layer_choice

    assert layer_choice(spec, 3) == kept


@pytest.mark.parametrize("spec", ["0", "4", "0,3", "1,1", "2,1", "iki", ""])
def test_impossible_layer_choices_are_refused_with_the_value(spec):
    from bilge.errors import InputError
    from training.reranker import layer_choice

    with pytest.raises(InputError, match="--layers"):
        layer_choice(spec, 3)


def test_reranker_pairs_are_the_query_windows_the_app_reads():
    from training.pairs import QaSet
    from training.reranker import labelled_pairs

    filler = "Kutuyu serin bir yerde saklayınız. " * 20
    paragraphs = [filler + "Parasetamol günde en fazla dört kez alınır. " + filler, "Işıktan koruyunuz. " * 40]
    train = QaSet(["Parasetamol günde kaç kez alınır?"], paragraphs, [0])
    rows = labelled_pairs(train, [[1]], [[1]], window_chars=120)
    assert rows["label"] == [1.0, 0.0]
    assert "Parasetamol günde en fazla dört kez alınır." in rows["passage"][0]
    assert all(len(passage) <= 120 for passage in rows["passage"])
    assert labelled_pairs(train, [[1]], [[1]], window_chars=0)["passage"] == paragraphs  # 0: the whole paragraph


def test_random_negatives_are_neither_the_answer_nor_a_hard_negative():
    from training.pairs import QaSet
    from training.reranker import labelled_pairs

    paragraphs = [f"Paragraf {i}: ilaç saklama koşulları." for i in range(6)]
    train = QaSet(["Soru bir?", "Soru iki?"], paragraphs, [0, 3])
    rows = labelled_pairs(train, [[1], [4]], [[2], [5]], window_chars=0, random_negatives=1, seed=3)
    assert rows["label"] == [1.0, 0.0, 0.0, 0.0] * 2
    assert rows["passage"][3] not in paragraphs[:3] and rows["passage"][7] not in paragraphs[3:]
    assert rows == labelled_pairs(train, [[1], [4]], [[2], [5]], window_chars=0, random_negatives=1, seed=3)


def test_reader_windows_point_at_the_answer_tokens(tiny_model_dir):
    from transformers import AutoTokenizer

    from training.reader import SpanExample, windows

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    context = "Parasetamol ağrı kesicidir. " * 12 + "Günde en fazla 8 tablet alınır. " + "Işıktan koruyunuz. " * 12
    start = context.index("8 tablet")
    example = SpanExample("Günde kaç tablet alınır?", context, start, ("8 tablet",), (0, len(context)))
    features = windows(tokenizer, [example], max_length=64)  # windows of 64 overlap by 16
    found = [(s, e) for s, e in zip(features["start_positions"], features["end_positions"]) if s]
    assert found and 0 in features["start_positions"]  # windows without the answer point at [CLS]
    for w, (s, e) in enumerate(zip(features["start_positions"], features["end_positions"])):
        if s:
            assert tokenizer.decode(features["input_ids"][w][s:e + 1]).strip().replace(" ", "") == "8tablet"


def test_reader_windows_mark_the_sentence_read_as_the_second_token_type(tiny_model_dir):
    from transformers import AutoTokenizer

    from training.reader import SpanExample, windows

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    context = "Tablet\nParasetamol ağrı kesicidir. Günde en fazla 8 tablet alınır. Işıktan koruyunuz."
    sentence = (context.index("Günde"), context.index(" Işıktan"))
    example = SpanExample("Günde kaç tablet alınır?", context, context.index("8 tablet"), ("8 tablet",), sentence)
    assert "token_type_ids" not in windows(tokenizer, [example], max_length=64)
    features = windows(tokenizer, [example], max_length=64, marked=True)
    marked = [t for t, kind in zip(features["input_ids"][0], features["token_type_ids"][0]) if kind == 1]
    assert tokenizer.decode(marked).replace(" ", "") == context[slice(*sentence)].replace(" ", "")


def test_reader_smoke_run(recipe, shared_data):
    from retrievers.reader import QaModelReader, starts_word
    from training.reader import train_reader

    result = train_reader(recipe, shared_data, "bilge train reader (test)", layers=1)
    assert set(result["metrics"]) == {"dev_exact_match", "dev_f1"}
    card = (recipe.output / "README.md").read_text(encoding="utf-8")
    assert card.startswith("# Bilge Turkish reader") and "does not hold its answer" in card
    assert list(recipe.output.glob("weights.pack-*.safetensors"))
    assert "stride" not in (recipe.output / "tokenizer_config.json").read_text(encoding="utf-8")
    context = "Türkiye — Başkent\nTürkiye'nin başkenti Ankara'dır. Nüfusu kalabalıktır."
    within = (context.index("Türkiye'nin"), context.index(" Nüfusu"))
    reader = QaModelReader.from_path(str(recipe.output))
    span = reader.read("Başkent neresidir?", context, within=within)
    assert span is not None and within[0] <= span.start <= span.end <= within[1]
    assert starts_word(context, span.start)
    assert not reader.marks_sentence
    # one batch of windows of different lengths reads each as alone, within its own range
    other = "Nüfus — Sayım\n" + "Nüfus her yıl sayılır ve yayımlanır. " * 12
    other_within = (len("Nüfus — Sayım\n"), len(other))
    batched = reader.read_many("Başkent neresidir?", [(other, other_within), (context, within)])
    alone = reader.read("Başkent neresidir?", other, within=other_within)
    for read, single in zip(batched, (alone, span)):
        assert (read.start, read.end) == (single.start, single.end)
        assert read.margin == pytest.approx(single.margin, abs=1e-3)


def test_a_reader_base_with_one_token_type_is_refused_before_any_work(tmp_path, tiny_model_dir):
    """The reader marks the sentence it reads as token type 1: an encoder with one type cannot."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from bilge.errors import InputError
    from training.reader import train_reader

    model = AutoModel.from_pretrained(str(tiny_model_dir))
    model.config.type_vocab_size = 1
    model.embeddings.token_type_embeddings = torch.nn.Embedding(1, model.config.hidden_size)
    model.save_pretrained(tmp_path / "one-type")
    AutoTokenizer.from_pretrained(str(tiny_model_dir)).save_pretrained(tmp_path / "one-type")
    with pytest.raises(InputError, match="type_vocab_size 2"):
        train_reader(Recipe(output=tmp_path / "out", base=tmp_path / "one-type"), tmp_path, "test",
                     mark_sentence=True)
    assert not (tmp_path / "out").exists()


def test_a_reader_trained_on_marked_sentences_says_so_and_is_read_marked(tmp_path, tiny_model_dir, shared_data):
    from retrievers.reader import QaModelReader
    from training.reader import train_reader

    recipe = Recipe(output=tmp_path / "marked", base=tiny_model_dir, max_steps=4, batch_size=8, eval_steps=2,
                    patience=1, dev_questions=20, learning_rate=5e-4)
    train_reader(recipe, shared_data, "bilge train reader --mark-sentence (test)", layers=1, mark_sentence=True)
    assert "marked as token type 1" in (recipe.output / "README.md").read_text(encoding="utf-8")
    reader = QaModelReader.from_path(str(recipe.output))
    assert reader.marks_sentence
    context = "Türkiye — Başkent\nTürkiye'nin başkenti Ankara'dır. Nüfusu kalabalıktır."
    within = (context.index("Türkiye'nin"), context.index(" Nüfusu"))
    marked = reader.read("Başkent neresidir?", context, within=within)
    reader.marks_sentence = False  # the same model read without the mark reads something else
    assert reader.read("Başkent neresidir?", context, within=within).margin != pytest.approx(marked.margin, abs=1e-4)


def test_reader_examples_are_sentence_windows_and_windows_without_the_answer():
    from retrievers.squad import Answer, Article, Paragraph, Question
    from training.reader import span_examples

    context = ("Osman Bey 1299'da beyliğini kurdu. Oğlu Orhan Bey Bursa'yı aldı. Bursa başkent oldu. "
               "Sonra İznik alındı. Daha sonra Edirne fethedildi.")
    question = Question("q", "Bursa'yı kim aldı?", [Answer("Orhan Bey", context.index("Orhan Bey"))])
    article = [Article("Osmanlı", [Paragraph(context, [question])])]
    answered, unanswered = span_examples(article, neighbours=1, negatives=True)
    beside = span_examples(article, neighbours=1, negatives=True, near=True)[2]
    assert answered.context == ("Osmanlı\nOsman Bey 1299'da beyliğini kurdu. Oğlu Orhan Bey Bursa'yı aldı. "
                                "Bursa başkent oldu.")
    assert answered.context[answered.start:answered.start + 9] == "Orhan Bey"
    assert answered.context[slice(*answered.sentence)] == "Oğlu Orhan Bey Bursa'yı aldı."
    assert unanswered.start == -1 and "Orhan Bey" not in unanswered.context
    # the neighbour is read in its own window, which holds the answer: only the mark says "not this one"
    assert beside.start == -1 and "Orhan Bey" in beside.context
    assert beside.context[slice(*beside.sentence)] in ("Osman Bey 1299'da beyliğini kurdu.", "Bursa başkent oldu.")


def test_a_neighbour_holding_the_answers_text_is_no_reader_negative():
    from retrievers.squad import Answer, Article, Paragraph, Question
    from training.reader import span_examples

    context = "Bursa 1326'da alındı. Orhan Bey Bursa'yı aldı. Bursa başkent oldu."
    question = Question("q", "Orhan Bey neresini aldı?", [Answer("Bursa", context.index("Bursa'yı"))])
    examples = span_examples([Article("Osmanlı", [Paragraph(context, [question])])], neighbours=1, negatives=True,
                             near=True)
    assert [e.start >= 0 for e in examples] == [True]


def test_a_hard_reader_negative_is_the_far_sentence_that_shares_the_questions_words():
    """The answer step reads the sentences that look most like answers (selector and lexical
    share pick them); the reader must learn to say "not here" on exactly those."""
    from retrievers.squad import Answer, Article, Paragraph, Question
    from training.reader import span_examples

    context = ("Setirizin bir antihistaminiktir. Tablet beyaz renklidir. Kutuda 20 tablet vardır. "
               "Setirizin alerjik nezlede kullanılır. Çocuklarda dikkatli olunmalıdır. Serin yerde saklayınız.")
    question = Question("q", "Setirizin hangi alerjide kullanılır?",
                        [Answer("alerjik nezlede", context.index("alerjik nezlede"))])
    article = [Article("Setirizin", [Paragraph(context, [question])])]
    for seed in range(5):
        _, hard = span_examples(article, neighbours=1, negatives=True, hard_share=1.0, seed=seed)
        assert hard.start == -1
        assert hard.context[slice(*hard.sentence)] == "Setirizin bir antihistaminiktir."
    picked = {span_examples(article, neighbours=1, negatives=True, seed=seed)[1].context for seed in range(12)}
    assert len(picked) > 1, "without hard_share the far sentence is drawn at random"


def test_precision_reaches_the_trainer_and_a_bad_one_is_refused(tmp_path, tiny_model_dir):
    from bilge.errors import InputError
    from training.common import hf_arguments

    def arguments(precision: str) -> dict:
        return hf_arguments(Recipe(output=tmp_path, base=tiny_model_dir, precision=precision), "eval_loss")

    assert arguments("bfloat16")["bf16"] and not arguments("float32")["bf16"]
    assert not arguments("float32")["fp16"]
    with pytest.raises(InputError, match="--precision must be auto, float32 or bfloat16, got 'fp8'"):
        Recipe(output=tmp_path, base=tiny_model_dir, precision="fp8")


def test_the_recipes_are_valid_recipes(tmp_path):
    from training.recipes import CHAIN, PROFILES, SHIPPED, STARTS_FROM, TRAINER_OPTIONS

    assert set(SHIPPED) == set(CHAIN) == set(STARTS_FROM) and set(SHIPPED.values()) <= set(PROFILES)
    for profile in PROFILES.values():
        assert set(profile) == set(CHAIN)
        for options in profile.values():
            options = {key: value for key, value in options.items() if key not in TRAINER_OPTIONS}
            assert Recipe(output=tmp_path, base=tmp_path, **options).max_steps == options["max_steps"]
    for name in CHAIN:  # each model starts from one made earlier in the chain
        assert STARTS_FROM[name] == "base" or CHAIN.index(STARTS_FROM[name]) < CHAIN.index(name)


def test_selector_smoke_run_and_its_sentence_pairs(recipe, shared_data):
    from training.selector import train_selector

    result = train_selector(recipe, shared_data, "bilge train selector (test)", layers=1)
    assert set(result["metrics"]) == {"dev_p@1", "dev_mrr@10"}
    assert 0.0 <= result["metrics"]["dev_p@1"] <= 1.0
    assert (recipe.output / "README.md").read_text(encoding="utf-8").startswith(
        "# Bilge Turkish answer-sentence selector (1 layers)")


def test_another_seed_trains_on_another_draw_and_is_validated_on_the_same_dev(tmp_path, tiny_model_dir,
                                                                               shared_data):
    """`--seed`: a trained selector continued on a new draw of negatives and order; the dev
    questions stay the same (`dev_seed`), so its baseline is the one the default seed measures."""
    from typer.testing import CliRunner

    from bilge.cli.main import app
    from training.reranker import mean_pooled_cross_encoder

    mean_pooled_cross_encoder(tiny_model_dir, 1).save(str(tmp_path / "selector"))
    cards = {}
    for seed in ("13", "29"):
        out = tmp_path / f"seed-{seed}"
        result = CliRunner().invoke(app, ["train", "selector", "--base", str(tmp_path / "selector"), "--layers", "1",
                                          "-o", str(out), "--max-steps", "2", "--eval-steps", "1",
                                          "--batch-size", "8", "--dev-questions", "40", "--seed", seed,
                                          "--data", str(shared_data)])
        assert result.exit_code == 0, result.output
        cards[seed] = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert cards["29"]["recipe"]["seed"] == "29" and cards["29"]["recipe"]["dev_seed"] == "13"
    assert cards["29"]["dev_metrics_before_training"] == cards["13"]["dev_metrics_before_training"]


def test_selector_rows_label_the_answering_sentence_against_its_neighbours():
    from retrievers.squad import Answer, Article, Paragraph, Question
    from training.selector import selector_rows, sentence_data

    context = "İlaç ağrı kesicidir. Günde en fazla 8 tablet alınır. Serin yerde saklanır."
    other = "Bu şurup çocuklar içindir. Günde 5 ml verilir."
    question = Question("q", "Günde en fazla kaç tablet alınır?", [Answer("8 tablet", context.index("8 tablet"))])
    data = sentence_data([Article("Parasetamol", [Paragraph(context, [question]), Paragraph(other, [])])])
    assert data.questions[0].gold == (1,)
    rows = selector_rows(data, [[1]], seed=0, same_passage=8, mined_passages=1, per_mined=1)
    labelled = dict(zip(rows["passage"], rows["label"]))
    positives = [text for text, label in labelled.items() if label == 1.0]
    assert len(positives) == 1 and positives[0].endswith("Günde en fazla 8 tablet alınır.")
    negatives = [text.split("\n")[-1] for text, label in labelled.items() if label == 0.0]
    assert {"İlaç ağrı kesicidir.", "Serin yerde saklanır.", "Günde 5 ml verilir."} <= set(negatives)


def test_swapped_questions_are_labelled_as_not_answered_by_their_own_sentence():
    """--unanswerable: a question with its subject or asked word swapped for another article's is
    a negative against the very sentence that answers the real question."""
    from retrievers.squad import Answer, Article, Paragraph, Question
    from training.selector import sentence_data, swapped_rows

    def article(title: str, context: str, question: str, answer: str) -> Article:
        return Article(title, [Paragraph(context, [Question(title, question, [Answer(answer, context.index(answer))])])])

    articles = [article("Pardus", "Pardus bir işletim sistemidir. İlk sürümü 2005 yılında yayımlandı.",
                        "Pardus'un ilk sürümü hangi yılda yayımlandı?", "2005"),
                article("Altay", "Altay bir tanktır. Motor hacmi büyüktür.", "Altay tankının motor hacmi nedir?",
                        "büyüktür"),
                article("Turkcell", "Turkcell bir şirkettir. Merkezi İstanbul'dadır.",
                        "Turkcell şirketinin merkezi neresidir?", "İstanbul"),
                article("Kangal", "Kangal bir köpektir. Sürüleri kurtlara karşı korur.",
                        "Kangal köpekleri sürüleri neye karşı korur?", "kurtlara")]
    data = sentence_data(articles)
    rows = swapped_rows(data, articles, seed=0)
    assert rows["query"] and set(rows["label"]) == {0.0}
    real = {q.question for q in data.questions}
    for query, passage, (paragraph, index) in zip(rows["query"], rows["passage"], rows["source"]):
        assert query not in real
        asked = next(q for q in data.questions if q.passage == paragraph)
        assert index in asked.gold and passage.endswith(data.texts[paragraph][slice(*data.spans[paragraph][index])])
    assert rows == swapped_rows(data, articles, seed=0)


@pytest.fixture
def tiny_reader_dir(tmp_path, tiny_model_dir):
    """An extractive reader with the tiny encoder's weights and a random span head."""
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    from training.common import encoder_dir

    AutoModelForQuestionAnswering.from_pretrained(str(encoder_dir(tiny_model_dir))).save_pretrained(
        tmp_path / "reader")
    AutoTokenizer.from_pretrained(str(tiny_model_dir)).save_pretrained(tmp_path / "reader")
    return tmp_path / "reader"


def test_reader_labels_blend_the_gold_label_with_the_readers_belief(tiny_reader_dir):
    """--teacher on the selector: each sampled label = ½ gold + ½ σ(the reader's margin for the
    sentence read as the app reads it), the same sample on every run (training resumes on it)."""
    import math

    from retrievers.reader import QaModelReader
    from retrievers.sentences import reader_input
    from retrievers.squad import Answer, Article, Paragraph, Question
    from training.selector import reader_labelled, selector_rows, sentence_data

    context = "İlaç ağrı kesicidir. Günde en fazla 8 tablet alınır. Serin yerde saklanır."
    other = "Bu şurup çocuklar içindir. Günde 5 ml verilir."
    question = Question("q", "Günde en fazla kaç tablet alınır?", [Answer("8 tablet", context.index("8 tablet"))])
    data = sentence_data([Article("Parasetamol", [Paragraph(context, [question]), Paragraph(other, [])])])
    rows = selector_rows(data, [[1]], seed=0, mined_passages=1, per_mined=1)
    labelled = reader_labelled(rows, data, tiny_reader_dir, pairs=4, seed=3)
    assert labelled == reader_labelled(rows, data, tiny_reader_dir, pairs=4, seed=3)
    assert len(labelled["label"]) == 4
    reader = QaModelReader.from_path(str(tiny_reader_dir))
    for text, label, (passage, index) in zip(labelled["passage"], labelled["label"], labelled["source"]):
        gold = 1.0 if (passage, index) == (0, 1) else 0.0
        window = reader_input(data.texts[passage], data.spans[passage][index], 1, data.titles[passage])
        margin = reader.read(question.question, window.context, window.sentence).margin
        assert label == pytest.approx(0.5 * gold + 0.5 / (1 + math.exp(-margin)), abs=1e-4)
        assert data.texts[passage][slice(*data.spans[passage][index])] in text


def test_a_selector_distilled_from_a_reader_says_so_in_its_card(recipe, shared_data, tiny_reader_dir):
    from training.selector import train_selector

    train_selector(recipe, shared_data, "bilge train selector (test)", layers=1, teacher=tiny_reader_dir)
    assert f"σ(margin) of the reader {tiny_reader_dir}" in (recipe.output / "README.md").read_text(encoding="utf-8")


def test_a_selector_teacher_that_is_no_model_is_refused_before_any_work(recipe, shared_data, tmp_path):
    from bilge.errors import InputError
    from training.selector import train_selector

    with pytest.raises(InputError, match="--teacher"):
        train_selector(recipe, shared_data, "bilge train selector (test)", layers=1, teacher=tmp_path / "yok")
    assert not recipe.output.exists()


def test_embedder_triplets_read_the_query_window_when_asked():
    from training.embedder import triplets
    from training.pairs import QaSet

    filler = "Bu cümle konuyla ilgisizdir ve yalnızca yer kaplar. " * 6
    paragraphs = [filler + "Parasetamol günde en fazla 8 tablet alınır. " + filler, filler + "Şurup serin saklanır."]
    train = QaSet(["Parasetamol günde kaç tablet alınır?"], paragraphs, [0])
    whole = triplets(train, [[1]], [[1]], seed=0)
    windowed = triplets(train, [[1]], [[1]], seed=0, window_chars=200)
    assert whole["positive"][0] == "passage: " + paragraphs[0]
    positive = windowed["positive"][0]
    assert len(positive) <= len("passage: ") + 200 and "8 tablet alınır" in positive
    assert len(windowed["negative"][0]) <= len("passage: ") + 200
