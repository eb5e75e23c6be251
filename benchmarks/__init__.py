"""Paikka's performance suite: a registry of seeded instances and drivers that time each phase.

Run ``python -m benchmarks.run`` (see README.md in this folder). Never part of the tests.
"""
