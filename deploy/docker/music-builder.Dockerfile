# emotion-chat music builder: the init container that synthesises the embedded catalogue and
# indexes it, or indexes a mounted catalogue (`emotion-chat music default|index`). Carries
# librosa; the serving images do not.
#   docker build -f deploy/docker/music-builder.Dockerfile -t emotion-chat/music-builder:0.1.0 .
# The first layers are the recommender image's (the same lines), so the builder caches them
# once for both.
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
RUN python3 requirements.py pyproject.toml --only music > /tmp/music.txt \
 && /opt/venv/bin/pip install -r /tmp/music.txt
# pyproject's readme: a one-line stand-in, so that an edit to the README rebuilds no image
# (nor retrains the demo model in `make image-test`).
RUN echo "emotion-chat: see the project's README.md" > README.md
# The foundation, the CLI, the recommender (its index code) and the music tooling.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY recommender_service ./recommender_service
COPY music ./music
COPY evaluation ./evaluation
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install "$(ls /wheels/*.whl)[music]"

FROM ${PYTHON_IMAGE}
RUN groupadd --gid 10001 emotion-chat \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat NUMBA_CACHE_DIR=/tmp/numba
COPY --from=build /opt/venv /opt/venv
USER 10001
# A run-to-completion builder (an init container), not a server: nothing to health-check.
HEALTHCHECK NONE
ENTRYPOINT ["emotion-chat"]
CMD ["music", "default", "--home", "/music"]
