# emotion-chat recommender: serving image (the index libraries, no librosa, no torch). Build
# from the repository root:
#   docker build -f deploy/docker/recommender.Dockerfile -t emotion-chat/recommender:0.1.0 .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# annoy builds from source where no wheel fits the platform
RUN apt-get update && apt-get install -y --no-install-recommends g++ \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
# Only the shared foundation, the CLI and this service: the wheel holds what is copied.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY recommender_service ./recommender_service
RUN pip wheel --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install "$(ls /wheels/*.whl)[recommender]"

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat
COPY --from=build /opt/venv /opt/venv
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
USER 10001
EXPOSE 50054 9094
ENTRYPOINT ["emotion-chat"]
CMD ["serve", "recommender"]
