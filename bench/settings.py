"""Settings for benchmark runs: the app's settings plus a trivial logged-in view (bench/urls.py).

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=... python -m bench.scale ...

Nothing here changes what a page costs: same middleware, same templates, same database options.
Passwords use a fast hasher because the generator creates hundreds of accounts; logins are not
measured (sessions are made with force_login).
"""

from luoshi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 - the in-process test Client
# The pages probed by URL name may answer 403/404; that is recorded, not logged.
LOGGING = {**LOGGING, "loggers": {"django.request": {"level": "CRITICAL"}}}  # noqa: F405
