"""The JSON API's request and response bodies, so that /openapi.json describes them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Health(Out):
    status: str
    version: str


class Me(Out):
    name: str
    role: str


class Record(Out):
    id: int
    source: str
    source_row: int | None = None
    external_id: str | None = None
    name: str | None = None
    name_script: str | None = None
    given_name: str | None = None
    father_name: str | None = None
    family_name: str | None = None
    written: str | None = None
    romanised: str | None = None
    script: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    birthplace: str | None = None
    residence: str | None = None
    ethnicity: str | None = None
    role: str | None = None
    facility: str | None = None
    detained: str | None = None
    notes: str | None = None
    contact: str | None = None
    person_id: int | None = None
    match_probability: float | None = None
    decided_by: str | None = None
    withheld: bool = False


class Hit(Out):
    record_id: int
    source: str
    name: str | None = None
    script: str | None = None
    romanised: str | None = None
    person_id: int | None = None
    score: float
    sex: str | None = None
    birth_date: str | None = None
    facility: str | None = None
    detained: str | None = None
    role: str | None = None
    withheld: bool = False


class SearchResult(Out):
    query: str
    hits: list[Hit]


class PersonSummary(Out):
    id: int
    label: str | None = None
    size: int
    run_id: int | None = None


class Pair(Out):
    record_l: int
    record_r: int
    match_probability: float
    match_weight: float | None = None


class Person(Out):
    id: int
    label: str | None = None
    size: int
    run_id: int | None = None
    records: list[Record]
    pairs: list[Pair]


class Custody(Out):
    at: str
    actor: str
    action: str
    reason: str | None = None


class EvidenceFile(Out):
    id: int
    sha256: str
    size: int
    media_type: str | None = None
    original_name: str | None = None
    acquired_at: str
    acquired_by: str
    custody: list[Custody] = []
    custody_intact: bool = True  # every event's hash, link and signature checked
    custody_problems: list[str] = []


class ImportRow(Out):
    id: int
    kind: str
    rows: int
    at: str
    actor: str
    original_name: str | None = None
    sha256: str


class Grade(Out):
    reliability: str
    rationale: str
    actor: str
    at: str


class Source(Out):
    id: int
    name: str
    kind: str
    reliability: str
    confidentiality: str
    description: str | None = None
    derived_from: str | None = None
    records: int


class SourceDetail(Source):
    imports: list[ImportRow]
    evidence: list[EvidenceFile]
    grades: list[Grade]


class Facility(Out):
    id: int
    external_id: str | None = None
    name: str | None = None
    name_zh: str | None = None
    name_ug: str | None = None
    kind: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    town: str | None = None
    county: str | None = None
    prefecture: str | None = None
    security_tier: int | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    capacity_estimate: int | None = None
    source: str


class Observation(Out):
    id: int
    observed: str | None = None
    imagery: str | None = None
    features: str | None = None
    change: str | None = None
    notes: str | None = None
    source: str


class FacilityDetail(Facility):
    observations: list[Observation]


class GeoJSON(Out):
    model_config = ConfigDict(extra="allow")
    type: str
    features: list[dict[str, Any]] = []


class Act(Out):
    id: int
    external_id: str | None = None
    type: str
    victim_record_id: int | None = None
    victim: str | None = None
    facility_id: int | None = None
    facility: str | None = None
    place: str | None = None
    date: str | None = None
    status: str | None = None
    source: str
    standard: str | None = None
    result: str | None = None


class Allegation(Out):
    id: int
    excerpt: str | None = None
    credibility: str | None = None
    stance: str | None = None
    source: str
    reliability: str | None = None


class ActDetail(Act):
    description: str | None = None
    allegations: list[Allegation]


class ElementJudgement(Out):
    id: int
    element: str
    met: str
    standard: str
    rationale: str
    actor: str
    at: str
    run_id: int | None = None


class Assessment(Out):
    run_id: int
    started_at: str
    standard: str | None = None
    findings: list[dict[str, Any]]
    elements: list[dict[str, Any]]
    conclusion: dict[str, Any]
    acts_by_standard: dict[str, int]
    warnings: list[str]
    judgements: list[ElementJudgement]


class JudgeElement(BaseModel):
    element: str = Field(max_length=100)
    met: Literal["yes", "no"]
    rationale: str = Field(min_length=1, max_length=10_000)
    standard: str = Field("reasonable_grounds_to_believe", max_length=100)


class Created(Out):
    id: int


class Run(Out):
    id: int
    stage: str
    method: str | None = None
    started_at: str
    finished_at: str | None = None
    status: str
    actor: str
    seed: int | None = None
    headline: dict[str, Any] = {}


class ReviewPair(Out):
    pair_id: str | None
    record_l: Record | None = None
    record_r: Record | None = None
    match_probability: float | None = None
    match_weight: float | None = None
    run_id: int | None = None
    lease_expires: str | None = None
    remaining: int = 0


class Decision(BaseModel):
    decision: Literal["accept", "reject", "unsure"]
    note: str | None = Field(None, max_length=10_000)


class Decided(Out):
    judgement_id: int
    pair_id: str
    decision: str


class JobRequest(BaseModel):
    kind: Literal["link", "estimate", "assess"]
    parameters: dict[str, str | int | float | None] = {}


class Job(Out):
    id: int
    kind: str
    status: str
    progress: float
    stage: str | None = None
    parameters: dict[str, Any]
    message: str | None = None
    run_id: int | None = None
    actor: str
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None


class Imported(Out):
    source: str
    kind: str
    rows: int
    sha256: str
    already_imported: bool
    warnings: list[str]


class UserOut(Out):
    id: int
    name: str
    role: str
    disabled: bool
    created_at: str


class NewUser(BaseModel):
    name: str = Field(max_length=100)
    role: Literal["viewer", "reviewer", "analyst", "admin"]
    password: str = Field(min_length=1, max_length=1000)
