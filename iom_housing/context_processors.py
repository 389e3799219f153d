from django.conf import settings

from iom_housing.access import role_of


def service(request):
    """The scheme's name and the signed-in user's role, for the header of every page."""
    return {"scheme_name": settings.SCHEME_NAME, "user_role": role_of(getattr(request, "user", None))}
