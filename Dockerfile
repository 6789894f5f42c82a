# tomtat: the CPU image by default. The package is installed the way scripts/check_installed.py proves
# it: the wheel built from this folder, non-editable, in a venv, with pinned torch first.
#   docker build -t tomtat .
#   GPU: --build-arg BASE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu124
#   checkpoints at build time: --build-arg FETCH="vit5-base-vietnews envit5" (needs the hub)
# BASE needs python3 with venv and pip (python:3.11-slim, or Debian bookworm with python3-venv).
ARG BASE=python:3.11-slim
FROM ${BASE} AS build
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG EXTRAS=ct2
# optional: a folder of local wheels (this project's machines keep the CPU torch build in one)
ARG PIP_FIND_LINKS
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY tomtat ./tomtat
COPY models ./models
COPY service ./service
RUN python3 -m venv /opt/tomtat \
 && /opt/tomtat/bin/pip install --upgrade pip \
 && /opt/tomtat/bin/pip wheel --no-deps . -w /wheels \
 && /opt/tomtat/bin/pip install --index-url "${TORCH_INDEX}" "torch==${TORCH_VERSION}" \
 && /opt/tomtat/bin/pip install "$(ls /wheels/tomtat-*.whl)${EXTRAS:+[$EXTRAS]}"

FROM ${BASE}
ARG FETCH=""
ARG CONVERT=""
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/tomtat/bin:$PATH \
    TOMTAT_HOST=0.0.0.0 TOMTAT_PORT=8000 TOMTAT_CHECKPOINT_DIR=/data/checkpoints TOMTAT_DATA_DIR=/data/state \
    HF_HOME=/data/hf
COPY --from=build /opt/tomtat /opt/tomtat
RUN useradd --create-home --uid 10001 tomtat \
 && mkdir -p /data/checkpoints /data/state /data/hf && chown -R tomtat /data
USER tomtat
WORKDIR /home/tomtat
RUN if [ -n "$FETCH" ]; then tomtat fetch $FETCH --output-dir /data/checkpoints ${CONVERT:+--convert ct2}; fi
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python3 -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["tomtat", "serve"]
