from django.db import models
from django.utils import timezone


class IndexQueueEntry(models.Model):
    """A page whose search document must be brought up to date: the transactional outbox of the index.

    Rows are written in the same transaction as the change that makes them necessary, so no change is lost if
    the engine is down or a worker dies. A row names only the page: the worker indexes whatever state the page
    has when it runs (or removes the document), so the latest state always wins and retries are idempotent.
    """

    page_id = models.BigIntegerField(
        unique=True, help_text="Not a foreign key: deleted pages must leave the index too."
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every new change to the page.")
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "search index queue entry"
        verbose_name_plural = "search index queue"

    def __str__(self):
        return f"page {self.page_id} (version {self.version}, {self.attempts} attempts)"


class IndexState(models.Model):
    """The index a rebuild is filling, if any, so that the worker writes changes to it as well."""

    alias = models.CharField(max_length=200, unique=True)
    building_index = models.CharField(max_length=200, blank=True)
    building_since = models.DateTimeField(null=True, blank=True)


class SearchDocument(models.Model):
    """A search document kept in the database: what the database backend searches, and the engine's fallback.

    One row per published page and per record such a page holds (an Action Plan's actions), with the same fields
    the engine indexes. It is written in the transaction that changes the page, so the database search is never
    behind. Full-text terms live next to it, in a SQLite FTS5 table or a PostgreSQL ``tsvector`` column
    (``search/backends/fulltext.py``).
    """

    key = models.CharField(
        max_length=100, unique=True, help_text="The document's id: the page id, or action-<plan id>-<identifier>."
    )
    page_id = models.BigIntegerField(db_index=True, help_text="The page it comes from: itself, or a record's page.")
    type = models.CharField(max_length=20)
    title = models.CharField(max_length=255)
    title_folded = models.CharField(max_length=255, help_text="For suggestions as you type.")
    summary = models.TextField(blank=True)
    content = models.TextField(blank=True)
    city = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True)
    role = models.CharField(max_length=10, blank=True)
    cohort = models.CharField(max_length=4, blank=True)
    themes = models.JSONField(default=list)
    partner_cities = models.JSONField(default=list)
    language = models.CharField(max_length=2)
    date = models.DateField(null=True)
    year = models.CharField(max_length=4, blank=True)
    url = models.CharField(max_length=2048)
    editors_pick = models.BooleanField(default=False)
    display = models.JSONField(default=dict)
    places = models.TextField(blank=True, help_text="The names of the document's city, country and partner cities.")
    concepts = models.JSONField(default=list, help_text="The glossary concepts its text names (their ids).")
    embedding_key = models.CharField(max_length=32, blank=True, help_text="Its vector in Embedding, once computed.")
    parts = models.JSONField(default=list, help_text="The ids of the documents of the page's records.")
    reuse = models.JSONField(
        default=list, help_text='"reused" when other cities adapted it, and "proven" once it worked in one.'
    )
    fingerprint = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["type"])]

    def __str__(self):
        return f"{self.type} {self.key}: {self.title}"

    def as_document(self) -> dict:
        """The canonical document it was written from (``search/documents.py``)."""
        return {
            "id": self.key,
            "page_id": self.page_id,
            "type": self.type,
            "title": self.title,
            "summary": self.summary,
            "content": self.content,
            "city": self.city or None,
            "country": self.country or None,
            "role": self.role or None,
            "cohort": self.cohort or None,
            "themes": self.themes,
            "partner_cities": self.partner_cities,
            "language": self.language,
            "date": self.date.isoformat() if self.date else None,
            "year": self.year or None,
            "url": self.url,
            "editors_pick": self.editors_pick,
            "display": self.display,
            "places": self.places,
            "concepts": self.concepts,
            "embedding_key": self.embedding_key,
            "parts": self.parts,
            "reuse": self.reuse,
            "fingerprint": self.fingerprint,
        }


class SearchDocumentsVersion(models.Model):
    """A token that changes with every write to the search documents (one row).

    Processes keep the documents' columns in memory (``search/backends/columns.py``) and reload them when the
    token differs from theirs. A random token, unlike a counter, cannot come back after a rolled-back write.
    """

    token = models.CharField(max_length=32)


class Embedding(models.Model):
    """The vector of one embedded text, computed once: a rebuild or an unchanged page never computes it again.

    The key is a hash of the model and the exact text (``search/embeddings.py``), so documents with the same
    text share a vector and a changed text gets a new one; vectors no document uses any more are harmless.
    """

    key = models.CharField(max_length=32, primary_key=True)
    model = models.CharField(max_length=100)
    vector = models.BinaryField(help_text="float32, L2-normalised")
    created_at = models.DateTimeField(auto_now_add=True)
