# syntax=docker/dockerfile:1
# Docker Interview Mentor: multi-stage, slim pinned base, CPU-only torch, non-root,
# the embedding model (inside its PyPI package) and a pre-built index baked in, no secrets.

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/venv/bin:$PATH
WORKDIR /src
RUN python -m venv /opt/venv
# the CPU build of torch first, so sentence-transformers does not pull the multi-GB CUDA one
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
# dependencies change less often than the code: install them in their own layer
COPY pyproject.toml README.md ./
COPY app/__init__.py ./app/__init__.py
# versions are pinned to compatible ranges in pyproject.toml
# hadolint ignore=DL3013
RUN --mount=type=cache,target=/root/.cache/pip pip install '.[postgres]'
COPY app ./app
# hadolint ignore=DL3013
RUN pip install --no-deps --force-reinstall '.[postgres]'
COPY knowledge ./knowledge
COPY prompts ./prompts
# build the retrieval index now so the container starts warm, fully offline
ENV HF_HUB_OFFLINE=1 \
    MENTOR_KNOWLEDGE_DIR=/src/knowledge \
    MENTOR_DATA_DIR=/src/data
RUN mentor check && mentor index

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    MENTOR_KNOWLEDGE_DIR=/app/knowledge \
    MENTOR_PROMPTS_DIR=/app/prompts \
    MENTOR_INDEX_DIR=/app/index \
    MENTOR_DATA_DIR=/data \
    MENTOR_HOST=0.0.0.0
RUN groupadd --gid 10001 mentor \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin mentor \
    && mkdir /data && chown 10001:10001 /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/knowledge ./knowledge
COPY --from=build /src/prompts ./prompts
COPY --from=build /src/data/index ./index
USER 10001:10001
EXPOSE 8000
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["mentor", "serve", "--host", "0.0.0.0", "--port", "8000"]
