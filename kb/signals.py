from django.db.models.signals import post_save
from django.dispatch import receiver

from kb.editorial import city_editors
from kb.models import CityPage


@receiver(post_save, sender=CityPage)
def give_new_city_its_editors(sender, instance, created, raw=False, **kwargs):
    """Every city gets its editor group the moment its page exists, so its staff can start writing."""
    if created and not raw:
        city_editors(instance)
