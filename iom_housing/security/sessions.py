"""The session engine (SESSION_ENGINE): Django's database store, writing the user's id on each
session row so that `end_user_sessions` can delete them all in one statement."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from iom_housing.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        instance.user_id = int(user_id) if user_id is not None else None
        return instance


def end_user_sessions(user) -> int:
    """Signs the user out everywhere at once; returns how many sessions were ended."""
    from iom_housing.models import UserSession

    deleted, _ = UserSession.objects.filter(user_id=user.pk).delete()
    return deleted
