"""Full-text matching for the database backend: SQLite's FTS5 or PostgreSQL's ``tsvector``, one of each.

Both store the terms ``search/analysis.py`` produced (already folded and stemmed) and only match and rank them,
so the two databases find the same documents. A query is a list of *alternatives* (a term, a prefix or a
phrase of terms), any of which may match; callers combine alternatives' results themselves, so no expression
ever nests (SQLite's FTS5 parser overflows on deeply nested ones).
"""

from dataclasses import dataclass

from django.db import connection

TITLE_WEIGHT = 3.0  # a title match counts three times a body match, as in the engine


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

    def match(self, cursor, alternatives: list[Alternative]) -> dict[int, float]:
        expression = " OR ".join(self._expression(alternative) for alternative in alternatives)
        cursor.execute(
            f"SELECT rowid, -bm25({self.table}, {TITLE_WEIGHT}, 1.0) FROM {self.table} WHERE {self.table} MATCH %s",
            [expression],
        )
        return dict(cursor.fetchall())

    @staticmethod
    def _expression(alternative: Alternative) -> str:
        # Terms are letters and digits only (analysis.tokens), so quoting them is all the escaping needed.
        quoted = '"' + " ".join(alternative.terms) + '"'
        return f"{quoted} *" if alternative.prefix else quoted


class PostgresFullText:
    column = "fulltext"
    table = "network_search_searchdocument"

    def create(self, cursor) -> None:
        cursor.execute(f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS {self.column} tsvector")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_{self.column} ON {self.table} USING GIN ({self.column})")

    def drop(self, cursor) -> None:
        cursor.execute(f"ALTER TABLE {self.table} DROP COLUMN IF EXISTS {self.column}")

    def store(self, cursor, rows: list[tuple[int, str, str]]) -> None:
        cursor.executemany(
            f"UPDATE {self.table} SET {self.column} = "
            "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'D') WHERE id = %s",
            [(title, body, pk) for pk, title, body in rows],
        )

    def remove(self, cursor, ids: list[int]) -> None:
        """Nothing to do: the terms are a column of the rows, which go with them."""

    def clear(self, cursor) -> None:
        """Nothing to do, for the same reason."""

    def match(self, cursor, alternatives: list[Alternative]) -> dict[int, float]:
        expression = " | ".join(self._expression(alternative) for alternative in alternatives)
        cursor.execute(
            f"SELECT id, ts_rank_cd({self.column}, query) FROM {self.table}, to_tsquery('simple', %s) query "
            f"WHERE {self.column} @@ query",
            [expression],
        )
        return dict(cursor.fetchall())

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
