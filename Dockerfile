# One image for the web app and the job worker.
#   web:    docker run IMAGE                         (gunicorn on :8000)
#   worker: docker run IMAGE python manage.py qcluster
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    PORT=8000

# libpq for psycopg's fallback and pg_dump for per-tenant backups.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 stockroom
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --upgrade pip && mkdir -p apps config && pip install .

COPY --chown=stockroom:stockroom . .

# Static files are collected at build time and served by whitenoise.
# The build needs a key and a database URL to import settings; neither is used or kept.
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput

USER stockroom
EXPOSE 8000
CMD ["sh", "-c", "gunicorn config.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
