"""Ingest stage: read documents from where users keep them (files, folders, .gz, stdin; WARC,
feeds, sitemaps and URLs to come) into :class:`crosswire.records.Document` records.
"""
