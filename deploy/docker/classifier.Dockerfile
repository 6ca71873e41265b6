# emotion-chat classifier: serving image (no torch). Build from the repository root:
#   docker build -f deploy/docker/classifier.Dockerfile -t emotion-chat/classifier:0.1.0 .
# The build stage starts with the same lines in every image (see requirements.py), so one
# cached dependency layer serves them all.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml deploy/docker/requirements.py ./
RUN python3 -m venv /opt/venv \
 && python3 requirements.py pyproject.toml > /tmp/requirements.txt \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt
# pyproject's readme: a one-line stand-in, so that an edit to the README rebuilds no image
# (nor retrains the demo model in `make image-test`).
RUN echo "emotion-chat: see the project's README.md" > README.md
# Only the shared foundation, the CLI and this service: the wheel holds what is copied.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY classifier_service ./classifier_service
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install /wheels/*.whl

FROM ${PYTHON_IMAGE}
RUN groupadd --gid 10001 emotion-chat \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat CLASSIFIER_PORT=50052
COPY --from=build /opt/venv /opt/venv
USER 10001
EXPOSE 50052 9092
# `emotion-chat health`: exit 0 when the gRPC health service answers SERVING on
# 127.0.0.1:$CLASSIFIER_PORT (set above to the service's default; the service reads the same
# variable, so an override moves both).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["emotion-chat", "health"]
ENTRYPOINT ["emotion-chat"]
CMD ["serve", "classifier"]
