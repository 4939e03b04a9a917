"""Full-text matching for the database backend: SQLite's FTS5 or PostgreSQL's ``tsvector``, one of each.

Both store the terms ``search/analysis.py`` produced (already folded and stemmed) and only match them: which
documents contain a query term, and whether in the title. Scoring is the caller's, the same on both databases.
A query is a list of *alternatives* (a term, a prefix or a phrase of terms), any of which may match; callers
combine alternatives' results themselves, so no expression ever nests (SQLite's FTS5 parser overflows on
deeply nested ones).
"""

from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class Alternative:
    terms: tuple[str, ...]  # one term, or the terms of a phrase in order
    prefix: bool = False  # the (single) term is a prefix


class SqliteFullText:
    table = "search_fulltext"

    def create(self, cursor) -> None:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5(title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )

    def drop(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def store(self, cursor, rows: list[tuple[int, str, str]]) -> None:
        cursor.executemany(f"INSERT INTO {self.table}(rowid, title, body) VALUES (%s, %s, %s)", rows)

    def remove(self, cursor, ids: list[int]) -> None:
        cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(pk,) for pk in ids])

    def clear(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {self.table}")

    def match(self, cursor, alternatives: list[Alternative]) -> dict[int, bool]:
        """Document id → whether the title matched, for every document matching any alternative."""
        if not alternatives:
            return {}
        expression = " OR ".join(self._expression(alternative) for alternative in alternatives)
        query = f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s"
        cursor.execute(query, [expression])
        found = dict.fromkeys((row[0] for row in cursor.fetchall()), False)
        cursor.execute(query, [f"{{title}} : ({expression})"])
        found.update(dict.fromkeys((row[0] for row in cursor.fetchall()), True))
        return found

    @staticmethod
    def _expression(alternative: Alternative) -> str:
        # Terms are letters and digits only (analysis.tokens), so quoting them is all the escaping needed.
        quoted = '"' + " ".join(alternative.terms) + '"'
        return f"{quoted} *" if alternative.prefix else quoted


class PostgresFullText:
    """Two ``tsvector`` columns: every term, with a GIN index, and the title's terms alone (small, never toasted).

    Matching goes through the index even for common terms (the planner would scan the table, and reading every
    document's large vector costs ten times the index), and no rank is computed for the same reason.
    """

    column = "fulltext"
    title_column = "fulltext_title"
    table = "network_search_searchdocument"

    def create(self, cursor) -> None:
        cursor.execute(f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS {self.column} tsvector")
        cursor.execute(f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS {self.title_column} tsvector")
        index = f"{self.table}_{self.column}"
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {self.table} USING GIN ({self.column})")

    def drop(self, cursor) -> None:
        cursor.execute(f"ALTER TABLE {self.table} DROP COLUMN IF EXISTS {self.column}")
        cursor.execute(f"ALTER TABLE {self.table} DROP COLUMN IF EXISTS {self.title_column}")

    def store(self, cursor, rows: list[tuple[int, str, str]]) -> None:
        cursor.executemany(
            f"UPDATE {self.table} SET {self.title_column} = to_tsvector('simple', %s), "
            f"{self.column} = to_tsvector('simple', %s) || to_tsvector('simple', %s) WHERE id = %s",
            [(title, title, body, pk) for pk, title, body in rows],
        )

    def remove(self, cursor, ids: list[int]) -> None:
        """Nothing to do: the terms are a column of the rows, which go with them."""

    def clear(self, cursor) -> None:
        """Nothing to do, for the same reason."""

    def match(self, cursor, alternatives: list[Alternative]) -> dict[int, bool]:
        """Document id → whether the title matched, for every document matching any alternative."""
        if not alternatives:
            return {}
        expression = " | ".join(self._expression(alternative) for alternative in alternatives)
        with transaction.atomic():  # SET LOCAL needs a transaction; it is undone right after the query
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                f"SELECT id, {self.title_column} @@ query FROM {self.table}, to_tsquery('simple', %s) query "
                f"WHERE {self.column} @@ query",
                [expression],
            )
            found = dict(cursor.fetchall())
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
        return found

    @staticmethod
    def _expression(alternative: Alternative) -> str:
        quoted = [f"'{term}'" for term in alternative.terms]
        if alternative.prefix:
            return f"{quoted[0]}:*"
        return f"({' <-> '.join(quoted)})" if len(quoted) > 1 else quoted[0]


def fulltext(vendor: str | None = None):
    """The implementation for the database in use."""
    vendor = vendor or connection.vendor
    if vendor == "sqlite":
        return SqliteFullText()
    if vendor == "postgresql":
        return PostgresFullText()
    raise NotImplementedError(f"the database search supports SQLite and PostgreSQL, not {vendor}")
