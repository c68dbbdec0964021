# syntax=docker/dockerfile:1
# Docker Interview Mentor: multi-stage, CPU-only torch, non-root, model and index baked in.

FROM python:3.11.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# CPU build of torch first, so sentence-transformers does not pull the CUDA one
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install .
COPY knowledge ./knowledge
COPY prompts ./prompts
# build the retrieval index at image build time so the container starts warm
ENV HF_HUB_OFFLINE=1 MENTOR_KNOWLEDGE_DIR=/src/knowledge MENTOR_DATA_DIR=/src/data
RUN mentor check && mentor index

FROM python:3.11.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    MENTOR_KNOWLEDGE_DIR=/app/knowledge \
    MENTOR_PROMPTS_DIR=/app/prompts \
    MENTOR_DATA_DIR=/data \
    MENTOR_INDEX_DIR=/app/index \
    MENTOR_HOST=0.0.0.0
RUN useradd --create-home --uid 10001 mentor && mkdir /data && chown mentor /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/knowledge ./knowledge
COPY --from=build /src/prompts ./prompts
COPY --from=build /src/data/index ./index
USER mentor
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["mentor", "serve", "--host", "0.0.0.0", "--port", "8000"]
