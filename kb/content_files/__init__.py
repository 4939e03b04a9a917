"""Markdown files with YAML front matter as an exchange format for every kind of content.

``document`` parses and writes files, ``schema`` validates front matter into canonical values, ``importer``
turns documents into pages and ``exporter`` turns pages back into documents; export is import's inverse.
"""
