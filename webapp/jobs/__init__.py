"""Background jobs: a long export (a national spreadsheet) that would hold a web worker for
seconds is done by a worker of its own, while the person watches its progress and downloads the
file when it is ready.

What belongs here: the job row (`models`), starting, running and pruning jobs and the registry
of kinds (`services`), who may see a job (`permissions`), its pages (`views`) and `flask jobs`
(`cli`). What a job builds belongs to the capability that registers its kind (coverage's
aggregated list and gap list); this package knows none of them.

With REDIS_URL the jobs wait on an RQ queue in that Redis for `flask jobs worker`; without it
(`make run`, the SQLite demo) the request that asks runs the job itself, then shows its page.
"""
