# IOM Housing image: one image for web (gunicorn), worker and beat (celery); see docker-compose.yml.

FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY static/scss static/scss
COPY scripts scripts
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# gunicorn's sync workers keep one database connection each (README, "Database connections").
ENV DB_CONN_MAX_AGE=60
# gunicorn's sync workers (README, "Configuration"): one a core plus one, for a 2-core container.
ENV WEB_CONCURRENCY=3
WORKDIR /app
# Pango for WeasyPrint (the PDF reports and subject access exports), and a font for it to draw with.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app && mkdir -p /app/.data/reports /app/.data/media/documents && chown -R app /app/.data
COPY pyproject.toml README.md ./
COPY iom_housing iom_housing
COPY agencies agencies
COPY referrals referrals
COPY placements placements
COPY alerts alerts
COPY reports reports
COPY audit audit
COPY outbox outbox
COPY aftercare aftercare
COPY moveon moveon
COPY casefiles casefiles
# seed_demo and seed_scale (a demo or benchmark deployment; nothing in the service imports them)
COPY demo demo
RUN pip install .
COPY manage.py ./
COPY templates templates
COPY static static
COPY locale locale
COPY --from=assets /build/static/build static/build
# The Welsh catalogues are compiled in the image (the .mo files are not committed): Django's
# compilemessages runs gettext's msgfmt, installed for this step only.
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && SECRET_KEY=compilemessages-only DATABASE_URL=postgres://unused@localhost/unused \
    python manage.py compilemessages --locale cy \
    && apt-get purge -y gettext && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
# collectstatic reads settings, which need a key and a database URL (it connects to neither).
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused@localhost/unused \
    python manage.py collectstatic --no-input
USER app
EXPOSE 8000
CMD ["gunicorn", "iom_housing.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
