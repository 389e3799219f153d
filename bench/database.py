"""The benchmark's database: BENCH_DATABASE_URL, or by default `iom_bench` on the machine's
PostgreSQL, or in the embedded server (iom_housing.embedded_db) when none answers there."""

import os
import re
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg2

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/iom_bench"
PROJECT_DIR = Path(__file__).resolve().parent.parent


class DatabaseError(Exception):
    pass


def database_url() -> str:
    """The database to benchmark, created if missing. Its name must contain "bench": the benchmark
    seeds it, records visits and changes referrals in it."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        url = DEFAULT_URL
        if not answers(url):
            from iom_housing.embedded_db import EmbeddedDatabaseError, embedded_database_url

            print(f"No PostgreSQL answers at {DEFAULT_URL}: using the embedded server.")
            try:
                url = with_database(embedded_database_url(), "iom_bench")
            except EmbeddedDatabaseError as error:
                raise DatabaseError(str(error)) from None
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name or not re.fullmatch(r"\w+", name):
        raise DatabaseError(
            f"BENCH_DATABASE_URL names the database {name!r}: use one of its own, with 'bench' in its "
            "name (letters, digits and _), since the benchmark loads data into it and changes it."
        )
    create_if_missing(url)
    return url


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def answers(url: str) -> bool:
    try:
        psycopg2.connect(with_database(url, "postgres"), connect_timeout=3).close()
    except psycopg2.OperationalError:
        return False
    return True


def create_if_missing(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    try:
        admin = psycopg2.connect(with_database(url, "postgres"), connect_timeout=5)
    except psycopg2.OperationalError as error:
        raise DatabaseError(f"No PostgreSQL answers at {url}: {error}".strip()) from None
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                print(f"Creating the database {name}.")
                cursor.execute(f'CREATE DATABASE "{name}"')  # a checked \w+ name
    finally:
        admin.close()
