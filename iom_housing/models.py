"""Cross-cutting records: the session store keeps each session's user, so that a user's sessions
can be found and ended (deactivation, a scheme manager's "end sessions")."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class UserSession(AbstractBaseSession):
    """Django's database session with the signed-in user's id beside it (null before sign-in)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = "session"

    @classmethod
    def get_session_store_class(cls):
        from iom_housing.security.sessions import SessionStore

        return SessionStore
