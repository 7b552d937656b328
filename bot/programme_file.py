"""The programme file's format: every table and key, validated by pydantic.

The bundled edition ``bot/data/programme-2024-2025.toml`` shows each of them in use;
``bot.programme`` loads a file of this format and turns it into sessions.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourseSection(_Strict):
    name: str
    organisation: str
    tagline: str = ""
    start_date: dt.date
    end_date: dt.date
    summary: str
    focus: str = ""
    field_visits: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)


class AttendanceSection(_Strict):
    mandatory: bool
    rule: str


class WorkloadSection(_Strict):
    own_time_hours_min: int = Field(ge=0)
    own_time_hours_max: int = Field(ge=0)
    description: str


class FinalAssignmentSection(_Strict):
    group_size_min: int = Field(ge=1)
    group_size_max: int = Field(ge=1)
    description: str


class TextSection(_Strict):
    description: str


class EligibilitySection(_Strict):
    municipality: str
    experience_years_min: int = Field(ge=0)
    experience_years_max: int = Field(ge=0)
    organisations: list[str]
    criteria: list[str]


class ModuleEntry(_Strict):
    number: int = Field(ge=1)
    title: str = Field(min_length=1)
    date: dt.date
    start: dt.time | None = None
    end: dt.time | None = None
    location: str | None = None
    preparation: str | None = None
    topics: list[str] = Field(default_factory=list)
    description: str = Field(min_length=1)


class ModulesSection(_Strict):
    weekday: str = "donderdag"
    start: dt.time
    end: dt.time
    format: str = ""
    list: list[ModuleEntry]


class ExtraSessionEntry(_Strict):
    # What afmeldingen, reminders and attendance point to. Without it the key is made from
    # the date, so adding an earlier entry to the file leaves the other entries' keys alone.
    key: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,27}$")
    date: dt.date
    start: dt.time
    end: dt.time | None = None
    title: str | None = None
    location: str | None = None
    note: str | None = None
    preparation: str | None = None


class WerksessiesSection(_Strict):
    duration_minutes: int = Field(gt=0)
    description: str = ""
    sessions: list[ExtraSessionEntry] = Field(default_factory=list)


class IntervisieSection(_Strict):
    meetings: int = Field(ge=0)
    description: str = ""
    sessions: list[ExtraSessionEntry] = Field(default_factory=list)


class ProgrammeFile(_Strict):
    course: CourseSection
    attendance: AttendanceSection
    workload: WorkloadSection
    final_assignment: FinalAssignmentSection
    certificate: TextSection
    outcome: TextSection
    eligibility: EligibilitySection
    modules: ModulesSection
    werksessies: WerksessiesSection
    intervisie: IntervisieSection
