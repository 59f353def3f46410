"""Read stage (to come): sentences, entities with aliases and roles, quotations and reported
speech, numeric claims, times and places, each with character offsets into ``Article.text``.
"""
