"""The portal's settings for the load test, with one change: a fast password hasher.

Fifty fleet managers signing in at once would spend the measured minute in PBKDF2 on two cores; the
load test measures browsing, so its own accounts are hashed with MD5 (never used outside this run).
"""

from portal.settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
