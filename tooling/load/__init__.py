"""``make load``: the portal under load (locust against gunicorn on PostgreSQL and Redis, localhost only).

See ``tooling.load.__main__`` for what runs and what is reported.
"""
