"""Jobs: link, estimate and assess runs started from the web and done in the
background, with their progress, in the ``web_jobs`` table.

The public API: ``JOB_KINDS``; ``submit_job(store, actor, kind, parameters)`` -> id;
``get_job``, ``list_jobs`` -> ``Job``; ``run_next_job(store)``: claim one queued job and
run it (what the web's worker thread calls); ``JobWorker``: that thread.
"""

from credible.jobs.queue import (
    JOB_KINDS,
    Job,
    JobWorker,
    get_job,
    list_jobs,
    run_next_job,
    submit_job,
)

__all__ = ["JOB_KINDS", "Job", "JobWorker", "get_job", "list_jobs", "run_next_job", "submit_job"]
