"""The cooperation cycle's rules: attendance, money, periods, outcomes, exports and texts.

Pure functions over the records of ``models.cooperation``, ``models.attendance`` and
``models.benefits``; no database and no web framework (the service calls them).
"""
