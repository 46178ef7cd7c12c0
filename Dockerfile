# syntax=docker/dockerfile:1
#
# The monitor daemon as a slim, non-root image.
#
#   docker build -t monitor .
#   docker run --rm --env-file .env -v "$PWD/config:/config:ro" \
#       -v monitor-data:/var/lib/monitor/data -p 127.0.0.1:8787:8787 monitor
#
# or, with PostgreSQL, `docker compose up -d` (see docker-compose.yml).
#
# Stage 1 builds the package and its dependencies into a virtualenv at /opt/venv; stage 2 copies
# only that virtualenv onto a fresh slim Python, so no compiler, pip cache or source tree ships.
# Every runtime dependency has manylinux wheels (psycopg[binary] brings its own libpq); the
# builder's C compiler is for monitor's own extraction path, which setup.py compiles with mypyc.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --------------------------------------------------------------------------- builder
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY monitor ./monitor
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install . \
    && monitor --version \
    && python -c "import monitor.extract.reader as compiled; assert compiled.__file__.endswith('.so'), 'the extractor was not compiled'"

# --------------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="monitor" \
      org.opencontainers.image.description="Self-hosted news monitor: signed webhooks when a story develops" \
      org.opencontainers.image.licenses="MIT"

# A fixed, unprivileged uid/gid so that mounted volumes can be chowned predictably.
RUN groupadd --system --gid 10001 monitor \
    && useradd --system --uid 10001 --gid monitor --no-create-home \
       --home-dir /var/lib/monitor --shell /usr/sbin/nologin monitor \
    && mkdir -p /var/lib/monitor/data /config \
    && chown -R monitor:monitor /var/lib/monitor

COPY --from=builder /opt/venv /opt/venv

# Inside a container the endpoint must listen on every interface (publish it on 127.0.0.1 on the
# host instead, as docker-compose.yml does). SQLite, when used, lands in /var/lib/monitor/data.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MONITOR_SERVER_HOST=0.0.0.0 \
    MONITOR_SERVER_PORT=8787

WORKDIR /var/lib/monitor
EXPOSE 8787

USER monitor

# /healthz answers 200 when the scheduler runs and the database answers; urllib raises on 503.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('MONITOR_SERVER_PORT', '8787') + '/healthz', timeout=4)"]

# The daemon stops taking work on SIGTERM, finishes or abandons in-flight fetches and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["monitor"]
CMD ["run", "--config", "/config/monitor.yaml"]
