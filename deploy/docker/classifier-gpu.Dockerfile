# emotion-chat classifier on GPU nodes: CUDA runtime base, onnxruntime-gpu, no torch.
#   docker build -f deploy/docker/classifier-gpu.Dockerfile -t emotion-chat/classifier-gpu:0.1.0 .
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ARG ONNXRUNTIME_GPU=onnxruntime-gpu>=1.20

FROM ${CUDA_IMAGE} AS build
ARG ONNXRUNTIME_GPU
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
# Only the shared foundation, the CLI and the classifier: the wheel holds what is copied.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY classifier_service ./classifier_service
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install /wheels/*.whl \
 && /opt/venv/bin/pip uninstall -y onnxruntime \
 && /opt/venv/bin/pip install "${ONNXRUNTIME_GPU}"

FROM ${CUDA_IMAGE}
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat CLASSIFIER_DEVICE=cuda
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
COPY --from=build /opt/venv /opt/venv
USER 10001
EXPOSE 50052 9092
ENTRYPOINT ["emotion-chat"]
CMD ["serve", "classifier"]
