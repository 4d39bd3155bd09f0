"""Use cases: each function takes a Session and validated input, changes the database, reports what changed.

The CLI, the API, the watcher and the poller call these; none of them talks to the models directly for
anything that changes data.
"""
