# The production image: one image for web, worker and beat (the command differs).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.base \
    VAR_DIR=/var/lib/servicedesk STATIC_ROOT=/app/staticfiles

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/servicedesk servicedesk

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY . .
# Static files are collected at build time (any SECRET_KEY will do for that step).
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=.venv >/dev/null

USER servicedesk
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
