FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media
WORKDIR /app
# WeasyPrint (the PDF of the printed papers) lays text out with pango; a Chinese font for the PDFs' text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pip install --no-cache-dir -e . \
 && STATIC_MANIFEST=1 SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.db python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 jiekun && mkdir -p /data/media && chown -R jiekun /data
USER jiekun
EXPOSE 8000
# Threaded workers: a request waiting on PostgreSQL (the access-log commit of every personal-data read) does
# not hold its worker, keep-alive connections are kept, and a long export is not killed by the 30 s worker
# timeout (bench/bench_lookup.py: 462 lookups/s against 443 with sync workers on an idle machine, 261 against 95
# with the machine loaded). GUNICORN_CMD_ARGS overrides, e.g. "--workers 8 --threads 4".
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", \
     "--access-logfile", "-"]
