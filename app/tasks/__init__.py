"""Background work: one task queue (Huey) for exports, e-mail and the periodic schedule.

See docs/decisions/021-task-queue.md for why Huey, and how the database rows (not
the queue) stay the truth about every job, so that a killed worker loses nothing.
"""
