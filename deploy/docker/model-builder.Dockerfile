# emotion-chat model builder: the init container that builds the demo model or exports a
# checkpoint to ONNX (`emotion-chat demo-model`, `emotion-chat export`). Carries torch (CPU);
# the serving images do not.
#   docker build -f deploy/docker/model-builder.Dockerfile -t emotion-chat/model-builder:0.1.0 .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
# The shared foundation, the CLI, the classifier (the demo model's paths) and the training
# tooling: the wheel holds what is copied.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY classifier_service ./classifier_service
COPY training ./training
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install "$(ls /wheels/*.whl)[train]"

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat HF_HOME=/tmp/hf
COPY --from=build /opt/venv /opt/venv
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
USER 10001
ENTRYPOINT ["emotion-chat"]
CMD ["demo-model", "--out", "/models/current"]
