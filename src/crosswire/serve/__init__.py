"""Serve stage (to come): web UI, JSON API and exports."""
