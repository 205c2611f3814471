"""Changing the plan safely: edits, uploads and imports checked with the whole plan and saved whole."""
