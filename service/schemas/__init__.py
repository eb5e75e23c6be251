"""Wire schemas: what the API receives and returns, kept apart from the domain models.

Every request schema refuses unknown fields, so a misspelt field is a 422, not silently lost.
"""
