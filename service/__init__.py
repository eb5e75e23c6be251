"""Paikka's HTTP service: persistence, roles, audit and the weekly allocation run.

The service is a thin transport around the engine: it turns database state into an
``AllocationProblem``, runs ``matching.allocate`` as a job and stores the proposals for a
coordinator to decide. Dependencies point inward: ``service`` → ``matching`` → ``models``.
"""
