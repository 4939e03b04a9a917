"""A real embedder that also counts the texts it embeds: to check what is embedded when, not to fake vectors."""

from search.embeddings import BundledE5

embedded: list[str] = []


class CountingE5(BundledE5):
    def passages(self, texts):
        embedded.extend(texts)
        return super().passages(texts)
