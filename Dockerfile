FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system --home /app babel && mkdir -p /data/media && chown -R babel /data
USER babel
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py recompute_readiness --stale && gunicorn -c babel_pug/gunicorn.conf.py babel_pug.wsgi"]
