"""Test runs: fast hashing, isolated media, in-memory email."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="kb-test-media-")
ALLOWED_HOSTS = ["*"]
# Serve static files from the app folders, as in development: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests send many API requests from one address; the rate-limit test sets its own rate.
SEARCH_API_RATE = "1000000/m"
# The benchmarks' corpus generator, which the corpus tests use.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
