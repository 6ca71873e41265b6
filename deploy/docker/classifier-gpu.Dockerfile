# emotion-chat classifier on GPU nodes: CUDA runtime base, onnxruntime-gpu, no torch.
#   docker build -f deploy/docker/classifier-gpu.Dockerfile -t emotion-chat/classifier-gpu:0.1.0 .
# The CUDA major of the base must be the one onnxruntime-gpu was built for: 1.31.1 on PyPI
# links libcudart.so.13 and libcublas.so.13 (its `cuda` extra asks for nvidia-cuda-runtime
# ~=13.0) and loads cuDNN 9, so a CUDA 13 cuDNN 9 runtime base. Change both together
# (tests/deploy/test_images.py holds the pairs it knows).
ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04
ARG ONNXRUNTIME_GPU=onnxruntime-gpu==1.31.1

FROM ${CUDA_IMAGE} AS build
ARG ONNXRUNTIME_GPU
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml deploy/docker/requirements.py ./
RUN python3 -m venv /opt/venv \
 && python3 requirements.py pyproject.toml > /tmp/requirements.txt \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt
# pyproject's readme: a one-line stand-in, so that an edit to the README rebuilds no image
# (nor retrains the demo model in `make image-test`).
RUN echo "emotion-chat: see the project's README.md" > README.md
# Only the shared foundation, the CLI and the classifier: the wheel holds what is copied.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY classifier_service ./classifier_service
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install /wheels/*.whl \
 && /opt/venv/bin/pip uninstall -y onnxruntime \
 && /opt/venv/bin/pip install "${ONNXRUNTIME_GPU}"

FROM ${CUDA_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 emotion-chat \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat CLASSIFIER_DEVICE=cuda CLASSIFIER_PORT=50052
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
