# tomtat: CPU image by default; CUDA with --build-arg BASE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
# (and TORCH_INDEX=https://download.pytorch.org/whl/cu124). Checkpoints live on a volume at
# /data/checkpoints, or are fetched at build time with --build-arg FETCH="vit5-base-vietnews envit5".
ARG BASE=python:3.11-slim
FROM ${BASE}

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG FETCH=""
ARG CONVERT=""

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    TOMTAT_HOST=0.0.0.0 TOMTAT_PORT=8000 TOMTAT_CHECKPOINT_DIR=/data/checkpoints HF_HOME=/data/hf

RUN useradd --create-home --uid 10001 tomtat && mkdir -p /data/checkpoints /data/hf && chown -R tomtat /data
WORKDIR /app

# same order as .ci/run: pinned torch first, so the package never pulls another build
RUN pip install --index-url "${TORCH_INDEX}" "torch==${TORCH_VERSION}"
COPY pyproject.toml README.md ./
COPY models ./models
COPY service ./service
COPY scripts ./scripts
RUN pip install ".[ct2]"

USER tomtat
RUN if [ -n "$FETCH" ]; then tomtat fetch $FETCH --output-dir /data/checkpoints ${CONVERT:+--convert ct2}; fi
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["tomtat", "serve"]
