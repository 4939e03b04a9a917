"""The knowledge index: analysis and mapping, defined with elasticsearch-dsl.

Text is indexed twice: in language-neutral, accent-folded fields (``title``, ``content``) that every query
searches, and in the field of the document's own language (``title_de``, ``content_de``, ...) whose analyzer
stems and removes stop words for that language. At query time the language fields' search analyzers expand
the multilingual glossary, so an English query reaches a German lesson through the German field.
"""

from pathlib import Path

from elasticsearch.dsl import Index, analyzer, token_filter, tokenizer
from elasticsearch.dsl import field as f

GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.txt"

# ISO 639-1 → (stop words, stemmer) as named by Lucene's analysis-common. EU languages Lucene has no stemmer
# for in analysis-common (Polish, Croatian, Slovak, Slovenian, Maltese) are searched through the folded fields.
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
    "hu": ("_hungarian_", "light_hungarian"),
    "it": ("_italian_", "light_italian"),
    "lt": ("_lithuanian_", "lithuanian"),
    "lv": ("_latvian_", "latvian"),
    "nl": ("_dutch_", "dutch"),
    "no": ("_norwegian_", "light_norwegian"),
    "pt": ("_portuguese_", "light_portuguese"),
    "ro": ("_romanian_", "romanian"),
    "sv": ("_swedish_", "light_swedish"),
}

folding = analyzer("folding", tokenizer="standard", filter=["lowercase", "asciifolding"])
autocomplete_index = analyzer(
    "autocomplete_index",
    tokenizer=tokenizer("autocomplete_edge", "edge_ngram", min_gram=2, max_gram=20, token_chars=["letter", "digit"]),
    filter=["lowercase", "asciifolding"],
)


def glossary_rules() -> list[str]:
    """The glossary's synonym lines (comments and blank lines left out)."""
    if not GLOSSARY_FILE.exists():
        return []
    lines = GLOSSARY_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def language_analyzers(code: str, glossary: list[str]):
    """Index and search analyzers of one language; the search one also expands the glossary."""
    stopwords, stemmer = LANGUAGES[code]
    stop = token_filter(f"{code}_stop", "stop", stopwords=stopwords)
    stem = token_filter(f"{code}_stem", "stemmer", language=stemmer)
    index_filters = ["lowercase", stop, stem, "asciifolding"]
    search_filters = ["lowercase", stop]
    if glossary:
        search_filters.append(
            token_filter(f"{code}_glossary", "synonym_graph", synonyms=glossary, expand=True, lenient=True)
        )
    search_filters += [stem, "asciifolding"]
    return (
        analyzer(f"{code}_text", tokenizer="standard", filter=index_filters),
        analyzer(f"{code}_search", tokenizer="standard", filter=search_filters),
    )


def knowledge_index(name: str) -> Index:
    """A fresh versioned index of the knowledge documents (the alias points at one of these)."""
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=10000)
    glossary = glossary_rules()
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
        text_analyzer, search_analyzer = language_analyzers(code, glossary)
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
