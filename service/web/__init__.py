"""The web app for people: coordinators, municipality contacts, planners and admins.

Server-rendered Jinja2 pages grouped by role, one base layout, a little plain JavaScript,
texts from the catalogues in ``locales/`` (fi, sv, en). ``service.web.app.mount`` adds it
to the service's FastAPI application at ``/``; the JSON API keeps its own paths.
"""
