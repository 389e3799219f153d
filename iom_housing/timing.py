"""How long a request spends in SQL and in all, for the load benchmark (bench/)."""

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection


class ServerTimingMiddleware:
    """With SERVER_TIMING on, a `Server-Timing` header on every response: the time spent in SQL (and
    the number of queries) and the time in the app in all, so a load test can see the cost of the
    code over its queries. Off by default: the header tells a caller how the server spends its time."""

    def __init__(self, get_response):
        if not settings.SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        total_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = (
            f'sql;dur={timer.seconds * 1000:.1f};desc="{timer.count} queries", total;dur={total_ms:.1f}'
        )
        return response


class QueryTimer:
    """A `connection.execute_wrapper` adding up the time and number of the queries it sees."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1
