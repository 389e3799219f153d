from alerts import selectors


def open_alert_count(request):
    """The count of open alerts in the header (one query, scoped like the alerts page)."""
    return {"open_alert_count": selectors.open_alert_count(user=getattr(request, "user", None))}
