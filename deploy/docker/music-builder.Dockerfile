# emotion-chat music builder: the init container that synthesises the embedded catalogue and
# indexes it, or indexes a mounted catalogue (`emotion-chat music default|index`). Carries
# librosa; the serving images do not.
#   docker build -f deploy/docker/music-builder.Dockerfile -t emotion-chat/music-builder:0.1.0 .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends g++ \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
# The foundation, the CLI, the recommender (its index code) and the music tooling.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY recommender_service ./recommender_service
COPY music ./music
COPY evaluation ./evaluation
RUN pip wheel --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install "$(ls /wheels/*.whl)[music]"

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat NUMBA_CACHE_DIR=/tmp/numba
COPY --from=build /opt/venv /opt/venv
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
USER 10001
ENTRYPOINT ["emotion-chat"]
CMD ["music", "default", "--home", "/music"]
