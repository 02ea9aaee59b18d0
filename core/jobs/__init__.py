"""Background work: one set of job definitions, two runners.

Reminders (outcome follow-ups, check-ins), report exports and every mail the platform sends (links,
calendar invitations) run as jobs. On PostgreSQL the jobs live in procrastinate's tables
and procrastinate's worker runs them; on SQLite (the embedded default) they live in the
platform's ``jobs`` table and an in-process runner polls it. Either way a job is written in the transaction of
the use case that asks for it (``queue.enqueue``), so it exists only if that use case
commits, and it survives a restart.

Modules: ``queue`` (enqueue, shared by the use cases), ``definitions`` (what each job
does), ``reminders``, ``invitations`` and ``ics`` (the mail they send),
``embedded`` and ``postgres`` (the runners), ``runner`` (picking one).
"""
