"""Events of intake's service desk beyond tickets: incidents, patrols, surveys, quality checks."""

from __future__ import annotations

from datetime import datetime

from shared.events.registry import Payload, event


@event("intake.incident.updated")
class IncidentUpdated(Payload):
    """An incident changed status, or a ticket joined it."""

    incident_id: str
    number: str
    status: str
    previous_status: str
    ticket_ids: list[str] = []
    linked_ticket_id: str | None = None
    note: str | None = None


@event("intake.incident.resolved")
class IncidentResolved(Payload):
    """An incident is over: by its work order's completion or at the desk; its tickets are resolved."""

    incident_id: str
    number: str
    previous_status: str
    resolved_at: datetime
    resolution: str | None = None
    work_order_id: str | None = None
    ticket_ids: list[str] = []


@event("intake.patrol.completed")
class PatrolCompleted(Payload):
    """A patrol round was finished; the checkpoints not recorded are listed as missed."""

    round_id: str
    route_id: str
    route_name: str
    patrolled_by: str
    started_at: datetime
    completed_at: datetime
    passed: list[str]
    missed: list[str]
    defects: int
    ticket_ids: list[str] = []


@event("intake.survey.published")
class SurveyPublished(Payload):
    """A satisfaction survey was sent to all residents of the estate, or to a sample of them."""

    survey_id: str
    title: str
    audience: str  # "all" or "sample"
    sample_size: int | None = None
    areas: list[str]
    published_at: datetime


@event("intake.survey.answered")
class SurveyAnswered(Payload):
    """A resident answered a survey (in the app, or on the phone through an agent)."""

    survey_id: str
    answer_id: str
    respondent_id: str
    channel: str
    scores_by_area: dict[str, float]
    low_scores: list[str] = []


@event("intake.survey.closed")
class SurveyClosed(Payload):
    """A survey stopped taking answers; its results per area are final."""

    survey_id: str
    title: str
    respondents: int
    averages: dict[str, float | None]
    closed_at: datetime


@event("intake.quality_check.recorded")
class QualityCheckRecorded(Payload):
    """A supervisor reviewed a contact against the checklist; the score goes to the agent's month."""

    check_id: str
    contact_id: str
    agent_id: str | None = None
    reviewer_id: str
    score: int
    month: str
    failed_items: list[str] = []
