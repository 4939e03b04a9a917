"""Local development: debug on, SQLite and database search unless told otherwise."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The benchmarks' corpus generator (`generate_corpus`); not part of a production install.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
