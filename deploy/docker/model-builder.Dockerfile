# emotion-chat model builder: the init container that builds the demo model or exports a
# checkpoint to ONNX (`emotion-chat demo-model`, `emotion-chat export`). Carries torch (CPU);
# the serving images do not.
#   docker build -f deploy/docker/model-builder.Dockerfile -t emotion-chat/model-builder:0.1.0 .
# torch==2.13.0 comes from the package index pip is configured with. On PyPI, Linux x86_64
# wheels of torch are the CUDA builds (several GB with their nvidia-* dependencies): for the
# CPU build pass the PyTorch CPU wheel index as --build-arg PIP_EXTRA_INDEX_URL=..., or a
# folder or URL holding torch-2.13.0+cpu as --build-arg PIP_FIND_LINKS=... (what
# `make image-test` does with this machine's local CPU wheel).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml deploy/docker/requirements.py ./
RUN python3 -m venv /opt/venv \
 && python3 requirements.py pyproject.toml > /tmp/requirements.txt \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt
ARG PIP_EXTRA_INDEX_URL
ARG PIP_FIND_LINKS
RUN python3 requirements.py pyproject.toml --only train > /tmp/train.txt \
 && /opt/venv/bin/pip install torch==2.13.0 -r /tmp/train.txt
# pyproject's readme: a one-line stand-in, so that an edit to the README rebuilds no image
# (nor retrains the demo model in `make image-test`).
RUN echo "emotion-chat: see the project's README.md" > README.md
# The shared foundation, the CLI, the classifier (the demo model's paths) and the training
# tooling: the wheel holds what is copied.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY classifier_service ./classifier_service
COPY training ./training
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install "$(ls /wheels/*.whl)[train]"

FROM ${PYTHON_IMAGE}
RUN groupadd --gid 10001 emotion-chat \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat HF_HOME=/tmp/hf
COPY --from=build /opt/venv /opt/venv
USER 10001
# A run-to-completion builder (an init container), not a server: nothing to health-check.
HEALTHCHECK NONE
ENTRYPOINT ["emotion-chat"]
CMD ["demo-model", "--out", "/models/current"]
