"""Paikka's domain vocabulary: pydantic records shared by the engine and the service.

This package imports only pydantic and the standard library.
"""

from models.base import DomainModel, Location, RecordId, Weekday
from models.client import Client, Coach, OngoingAssignment, Preference, TravelMeans
from models.geography import CommutingArea, EmploymentArea, GeographySource, Municipality
from models.options import SolveOptions, TravelModel, Weights
from models.organisation import Organisation, OrganisationType
from models.placement import Placement, TaskCategory, WorkDemand
from models.problem import AllocationProblem
from models.regime import LegalRegime
from models.result import (
    AllocationResult,
    Assignment,
    Criterion,
    Objective,
    RunStats,
    SetAside,
    SolveStatus,
    Timings,
)

__all__ = [
    "AllocationProblem",
    "AllocationResult",
    "Assignment",
    "Client",
    "Coach",
    "CommutingArea",
    "Criterion",
    "DomainModel",
    "EmploymentArea",
    "GeographySource",
    "LegalRegime",
    "Location",
    "Municipality",
    "Objective",
    "OngoingAssignment",
    "Organisation",
    "OrganisationType",
    "Placement",
    "Preference",
    "RecordId",
    "RunStats",
    "SetAside",
    "SolveOptions",
    "SolveStatus",
    "TaskCategory",
    "Timings",
    "TravelMeans",
    "TravelModel",
    "Weekday",
    "Weights",
    "WorkDemand",
]
