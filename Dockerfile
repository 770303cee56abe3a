# The image that docker-compose.yml runs: the app with its static files compiled and collected.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
      --load-path=node_modules/govuk-frontend/dist static/scss/application.scss static/build/application.css

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir . && rm -rf build *.egg-info
COPY . .
COPY --from=assets /app/node_modules/govuk-frontend/dist ./node_modules/govuk-frontend/dist
COPY --from=assets /app/node_modules/htmx.org/dist ./node_modules/htmx.org/dist
COPY --from=assets /app/static/build ./static/build
RUN SECRET_KEY=build FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1rZXktMzItYnl0ZXMtbG9uZy0tLS0= \
    DJANGO_SETTINGS_MODULE=config.settings.production python manage.py collectstatic --noinput
RUN useradd --create-home app
USER app
EXPOSE 8000
