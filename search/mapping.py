"""The knowledge index: analysis and mapping, defined with elasticsearch-dsl.

Text is indexed twice: in language-neutral, accent-folded fields (``title``, ``content``) that every query
searches, and in the field of the document's own language (``title_de``, ``content_de``, ...) whose analyzer
stems and removes stop words for that language. Across languages, documents carry the glossary concepts their
text names (``concepts``, found in the document's own language when it is indexed) and queries match the
concepts they name, so an English query reaches a German lesson on the same concept; the embedding
(``embedding``) reaches it by meaning.

The glossary is read here too: ``glossary()`` is the file's concepts by id.
"""

from functools import lru_cache
from pathlib import Path

import yaml
from django.utils.text import slugify
from elasticsearch.dsl import Index, analyzer, char_filter, token_filter, tokenizer
from elasticsearch.dsl import field as f

from .conf import search_settings

GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.yaml"

# ISO 639-1 → (stop words, stemmer) as named by Lucene's analysis-common. The EU languages it has neither for
# (Croatian, Maltese, Polish, Slovak, Slovenian) still get their own field: folded, and with the glossary.
LANGUAGES = {
    "bg": ("_bulgarian_", "bulgarian"),
    "ca": ("_catalan_", "catalan"),
    "cs": ("_czech_", "czech"),
    "da": ("_danish_", "danish"),
    "de": ("_german_", "light_german"),
    "el": ("_greek_", "greek"),
    "en": ("_english_", "english"),
    "es": ("_spanish_", "light_spanish"),
    "et": ("_estonian_", "estonian"),
    "eu": ("_basque_", "basque"),
    "fi": ("_finnish_", "light_finnish"),
    "fr": ("_french_", "light_french"),
    "ga": ("_irish_", "irish"),
    "gl": ("_galician_", "galician"),
    "hr": (None, None),
    "hu": ("_hungarian_", "light_hungarian"),
    "it": ("_italian_", "light_italian"),
    "lt": ("_lithuanian_", "lithuanian"),
    "lv": ("_latvian_", "latvian"),
    "mt": (None, None),
    "nl": ("_dutch_", "dutch"),
    "no": ("_norwegian_", "light_norwegian"),
    "pl": (None, None),
    "pt": ("_portuguese_", "light_portuguese"),
    "ro": ("_romanian_", "romanian"),
    "sk": (None, None),
    "sl": (None, None),
    "sv": ("_swedish_", "light_swedish"),
}

# Greek accents (tonos, dialytika) and final sigma: asciifolding leaves them, so "δεντρα" would not meet
# "δέντρα", and Lucene's Greek stemmer expects neither.
greek_accents = char_filter(
    "greek_accents",
    "mapping",
    mappings=[
        f"{accented}=>{plain}" for accented, plain in zip("άέήίόύώϊϋΐΰΆΈΉΊΌΎΏΪΫς", "αεηιουωιυιυΑΕΗΙΟΥΩΙΥσ", strict=True)
    ],
)
folding = analyzer("folding", tokenizer="standard", char_filter=[greek_accents], filter=["lowercase", "asciifolding"])
autocomplete_index = analyzer(
    "autocomplete_index",
    char_filter=[greek_accents],
    tokenizer=tokenizer("autocomplete_edge", "edge_ngram", min_gram=2, max_gram=20, token_chars=["letter", "digit"]),
    filter=["lowercase", "asciifolding"],
)


@lru_cache(maxsize=1)
def glossary() -> dict[str, dict[str, list[str]]]:
    """The glossary's concepts by id (the slug of the concept's name), each a mapping of language code to terms."""
    themes = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    return {
        slugify(name): {code: [str(term).lower() for term in terms] for code, terms in concept.items()}
        for concepts in themes.values()
        for name, concept in concepts.items()
    }


def glossary_concepts() -> list[dict[str, list[str]]]:
    """The glossary's concepts, each a mapping of language code to its terms."""
    return list(glossary().values())


def language_analyzer(code: str):
    """The analyzer of one language's fields: accents folded (so that a query typed without them meets the same
    tokens), then that language's stop words and stemmer."""
    stopwords, stemmer = LANGUAGES[code]
    language_filters = []
    if stopwords:
        language_filters.append(token_filter(f"{code}_stop", "stop", stopwords=stopwords))
    if stemmer:
        language_filters.append(token_filter(f"{code}_stem", "stemmer", language=stemmer))
    return analyzer(
        f"{code}_text", tokenizer="standard", char_filter=[greek_accents],
        filter=["lowercase", "asciifolding", *language_filters],
    )  # fmt: skip


class KnnVector(f.Field):
    """OpenSearch's vector field (k-NN plugin); elasticsearch-dsl knows only Elasticsearch's ``dense_vector``."""

    name = "knn_vector"


def vector_field(vendor: str, dimensions: int) -> f.Field:
    """The embedding's field: approximate nearest neighbours (HNSW) by cosine, in each engine's own words.

    OpenSearch must use the pure-Java Lucene engine: the k-NN plugin's native engines (faiss, nmslib, and faiss
    is the default) are not in the Maven Central build, and an index using them accepts the mapping, then hangs
    on the first write. The engine is therefore always named, never left to the default.
    """
    if vendor == "opensearch":
        method = {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"}
        return KnnVector(dimension=dimensions, method={**method, "parameters": {"m": 16, "ef_construction": 100}})
    return f.DenseVector(dims=dimensions, index=True, similarity="cosine", index_options={"type": "hnsw"})


def passage_fields(languages) -> tuple[str, ...]:
    """The fields whose passages results show, the words that matched highlighted: the text in every language."""
    return ("content", "summary", *[f"content_{code}" for code in languages])


def passage_text(analyzer) -> f.Text:
    """A field of ``passage_fields``. Its postings keep each word's offsets, so the highlighter finds the matches of
    the documents shown without analysing their text again: a quarter less time for the passages of a page of
    results (7 % of a whole search at 100,000 pages), for 9 % more index there (BENCHMARKS.md)."""
    return f.Text(analyzer=analyzer, index_options="offsets")


def knowledge_index(name: str, vendor: str = "opensearch", dimensions: int = 0) -> Index:
    """A fresh versioned index of the knowledge documents (the alias points at one of these).

    With ``dimensions``, documents carry their embedding in a vector field (left out of ``_source``: the
    database keeps every vector, and the index needs them only to search).
    """
    config = search_settings()
    index = Index(name)
    index.settings(
        number_of_shards=config.shards,
        number_of_replicas=config.replicas,
        refresh_interval=config.refresh_interval,
        max_result_window=10000,
        **({"knn": True} if dimensions and vendor == "opensearch" else {}),
    )
    properties = {
        "id": f.Keyword(),
        "page_id": f.Long(),  # the page it comes from: itself, or a record's (an action's plan)
        "parts": f.Keyword(index=False),  # a page's document: the ids of its records' documents
        "type": f.Keyword(),
        "title": f.Text(
            analyzer=folding,
            fields={"autocomplete": f.Text(analyzer=autocomplete_index, search_analyzer=folding), "raw": f.Keyword()},
        ),
        "summary": passage_text(folding),
        "content": passage_text(folding),
        "places": f.Text(analyzer=folding),
        "concepts": f.Keyword(),  # the glossary concepts the text names, in its own language
        "embedding_key": f.Keyword(index=False),
        "city": f.Keyword(),
        "country": f.Keyword(),
        "role": f.Keyword(),
        "cohort": f.Keyword(),
        "themes": f.Keyword(),
        "partner_cities": f.Keyword(),
        "language": f.Keyword(),
        "date": f.Date(),
        "year": f.Keyword(),
        "url": f.Keyword(index=False),
        "editors_pick": f.Boolean(),
        "reuse": f.Keyword(),  # "reused", "proven": what other cities adapted, and what worked there
        "fingerprint": f.Keyword(),
        # Display data returned with results so that a search needs no database query.
        "display": f.Object(enabled=False),
    }
    for code in LANGUAGES:
        properties[f"title_{code}"] = f.Text(analyzer=language_analyzer(code))
        properties[f"content_{code}"] = passage_text(language_analyzer(code))
    if dimensions:
        properties["embedding"] = vector_field(vendor, dimensions)
    mapping = _mapping(properties)
    if dimensions:
        mapping.meta("_source", {"excludes": ["embedding"]})
    index.mapping(mapping)
    return index


def _mapping(properties: dict):
    from elasticsearch.dsl import Mapping

    mapping = Mapping()
    mapping.meta("dynamic", "strict")
    for name, field in properties.items():
        mapping.field(name, field)
    return mapping
