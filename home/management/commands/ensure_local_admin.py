from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "admin"  # noqa: S105 — a local development login, refused outside DEBUG


class Command(BaseCommand):
    help = "Create a local superuser admin/admin for development (refuses to run unless DEBUG is on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_local_admin only runs with DEBUG on; use createsuperuser in production")
        User = get_user_model()
        if not User.objects.filter(username=USERNAME).exists():
            User.objects.create_superuser(USERNAME, "admin@example.com", PASSWORD)
        self.stdout.write(f"Admin: http://127.0.0.1:8000/admin/  login '{USERNAME}', password '{PASSWORD}'")
