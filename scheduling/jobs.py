"""Every timed job of the bot, installed in one place by the application factory.

- reminders: rebuilt from the database at start-up, synced every minute (scheduling/reminders);
- attendance: the check-in prompt, the digest and the QR screens (scheduling/attendance_jobs);
- announcements: the outbox, resumed at start-up (scheduling/outbox);
- expired typed steps swept away every minute (scheduling/pending_sweep);
- module feedback: the questions that are due, every minute (scheduling/feedback_jobs);
- certificates: the review list before the last module, once (scheduling/certificate_jobs);
- learning goals: the questions before intervisie meetings and the look back, every minute
  (scheduling/goal_jobs).

The database is the source of truth for all of them: jobs are rebuilt at every start.
"""

from __future__ import annotations

from telegram.ext import Application

from scheduling import (
    attendance_jobs,
    certificate_jobs,
    feedback_jobs,
    goal_jobs,
    outbox,
    pending_sweep,
    reminders,
)


def install(application: Application) -> None:  # type: ignore[type-arg]
    reminders.setup(application)
    attendance_jobs.schedule(application)
    outbox.install(application)
    pending_sweep.schedule(application)
    feedback_jobs.schedule(application)
    certificate_jobs.schedule(application)
    goal_jobs.schedule(application)
