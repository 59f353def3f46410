"""Connect stage (to come): exact and near-duplicate copies traced to their original, stories, and
claims lined up across sources.
"""
