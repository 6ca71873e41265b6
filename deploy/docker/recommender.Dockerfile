# emotion-chat recommender: serving image (the index libraries, no librosa, no torch). Build
# from the repository root:
#   docker build -f deploy/docker/recommender.Dockerfile -t emotion-chat/recommender:0.1.0 .
# The build stage starts with the same lines in every image (see requirements.py), so one
# cached dependency layer serves them all; the index layer is shared with music-builder.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml deploy/docker/requirements.py ./
RUN python3 -m venv /opt/venv \
 && python3 requirements.py pyproject.toml > /tmp/requirements.txt \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt
# annoy and hnswlib build from source (PyPI has no wheels of them): a C++ compiler, and
# Python's headers where the base image lacks them (Debian's python3 without python3-dev).
RUN headers="$(python3 -c 'import os, sysconfig; \
    print("" if os.path.exists(sysconfig.get_path("include") + "/Python.h") else "python3-dev")')" \
 && apt-get update \
 && apt-get install -y --no-install-recommends g++ ${headers:+"$headers"} \
 && rm -rf /var/lib/apt/lists/* \
 && python3 requirements.py pyproject.toml --only recommender > /tmp/recommender.txt \
 && /opt/venv/bin/pip install -r /tmp/recommender.txt
# pyproject's readme: a one-line stand-in, so that an edit to the README rebuilds no image
# (nor retrains the demo model in `make image-test`).
RUN echo "emotion-chat: see the project's README.md" > README.md
# Only the shared foundation, the CLI and this service: the wheel holds what is copied.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY recommender_service ./recommender_service
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install "$(ls /wheels/*.whl)[recommender]"

FROM ${PYTHON_IMAGE}
RUN groupadd --gid 10001 emotion-chat \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat RECOMMENDER_PORT=50054
COPY --from=build /opt/venv /opt/venv
USER 10001
EXPOSE 50054 9094
# `emotion-chat health`: exit 0 when the gRPC health service answers SERVING on
# 127.0.0.1:$RECOMMENDER_PORT (set above to the service's default; the service reads the same
# variable, so an override moves both).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["emotion-chat", "health"]
ENTRYPOINT ["emotion-chat"]
CMD ["serve", "recommender"]
