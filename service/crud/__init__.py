"""Persistence operations per resource, keyword-light and free of HTTP; routes call these."""
