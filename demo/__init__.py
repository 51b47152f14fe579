"""The embedded demo (``make run``): everything that exists only so the portal runs on one laptop.

* ``manage.py run_demo`` (``demo.management.commands.run_demo``): migrations, the seed, then the
  simulator, a Celery worker and beat and the web server, kept running by :mod:`demo.supervisor`;
* ``manage.py seed_demo``: the demo's companies, users (one per role), backends and a first refresh;
* :mod:`demo.broker`: the demo's Celery broker, an SQLite file under the var folder (settings read it
  when no ``CELERY_BROKER_URL`` is set);
* :mod:`demo.driver`: starts ``run_demo`` from outside as a user would and drives it over HTTP (the
  soak check ``python -m tooling.soak`` and ``tests/demo``).

Nothing in the product imports this package, except the settings for the demo's broker URL.
"""
