"""The knowledge index: analysis and mapping, defined with elasticsearch-dsl.

Text is indexed twice: in language-neutral, accent-folded fields (``title``, ``content``) that every query
searches, and in the field of the document's own language (``title_de``, ``content_de``, ...) whose analyzer
stems and removes stop words for that language. At query time each language field's search analyzer rewrites
glossary terms of any language into that field's language, so an English query reaches a German lesson
through the German field.
"""

from functools import lru_cache
from pathlib import Path

import yaml
from elasticsearch.dsl import Index, analyzer, token_filter, tokenizer
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

folding = analyzer("folding", tokenizer="standard", filter=["lowercase", "asciifolding"])
autocomplete_index = analyzer(
    "autocomplete_index",
    tokenizer=tokenizer("autocomplete_edge", "edge_ngram", min_gram=2, max_gram=20, token_chars=["letter", "digit"]),
    filter=["lowercase", "asciifolding"],
)


@lru_cache(maxsize=1)
def glossary_concepts() -> list[dict[str, list[str]]]:
    """The glossary's concepts, each a mapping of language code to its terms."""
    themes = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    return [
        {code: [str(term).lower() for term in terms] for code, terms in concept.items()}
        for concepts in themes.values()
        for concept in concepts.values()
    ]


def glossary_rules(language: str) -> list[str]:
    """Synonym rules for one language's field: every term of a concept, in any language, → its terms here."""
    rules = []
    for concept in glossary_concepts():
        targets = concept.get(language)
        if targets:
            sources = sorted({term for terms in concept.values() for term in terms})
            rules.append(f"{', '.join(sources)} => {', '.join(targets)}")
    return rules


def language_analyzers(code: str):
    """Index and search analyzers of one language; the search one also expands the glossary.

    Both fold accents first, so that a query typed without accents meets the same tokens. The glossary comes
    before stop words so that its phrases ("pompe à chaleur") are parsed whole, and before stemming so that
    its expansions are stemmed like the text they must find.
    """
    stopwords, stemmer = LANGUAGES[code]
    language_filters = []
    if stopwords:
        language_filters.append(token_filter(f"{code}_stop", "stop", stopwords=stopwords))
    if stemmer:
        language_filters.append(token_filter(f"{code}_stem", "stemmer", language=stemmer))
    search_filters = ["lowercase", "asciifolding"]
    if rules := glossary_rules(code):
        search_filters.append(token_filter(f"{code}_glossary", "synonym_graph", synonyms=rules, lenient=True))
    return (
        analyzer(f"{code}_text", tokenizer="standard", filter=["lowercase", "asciifolding", *language_filters]),
        analyzer(f"{code}_search", tokenizer="standard", filter=[*search_filters, *language_filters]),
    )


def knowledge_index(name: str) -> Index:
    """A fresh versioned index of the knowledge documents (the alias points at one of these)."""
    config = search_settings()
    index = Index(name)
    index.settings(
        number_of_shards=config.shards,
        number_of_replicas=config.replicas,
        refresh_interval=config.refresh_interval,
        max_result_window=10000,
    )
    properties = {
        "id": f.Keyword(),
        "type": f.Keyword(),
        "title": f.Text(
            analyzer=folding,
            fields={"autocomplete": f.Text(analyzer=autocomplete_index, search_analyzer=folding), "raw": f.Keyword()},
        ),
        "summary": f.Text(analyzer=folding),
        "content": f.Text(analyzer=folding),
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
        "fingerprint": f.Keyword(),
        # Display data returned with results so that a search needs no database query.
        "display": f.Object(enabled=False),
    }
    for code in LANGUAGES:
        text_analyzer, search_analyzer = language_analyzers(code)
        properties[f"title_{code}"] = f.Text(analyzer=text_analyzer, search_analyzer=search_analyzer)
        properties[f"content_{code}"] = f.Text(analyzer=text_analyzer, search_analyzer=search_analyzer)
    index.mapping(_mapping(properties))
    return index


def _mapping(properties: dict):
    from elasticsearch.dsl import Mapping

    mapping = Mapping()
    mapping.meta("dynamic", "strict")
    for name, field in properties.items():
        mapping.field(name, field)
    return mapping
