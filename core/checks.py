"""Deployment checks: run by `manage.py check --deploy` before the portal goes live."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    """Refuse to deploy with the development secret key."""
    if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development default.",
                hint="Set SECRET_KEY in the environment to a long random value.",
                id="bangqiao.E001",
            )
        ]
    return []
