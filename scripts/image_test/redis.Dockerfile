# Stand-in for the StatefulSet's redis:7.4-alpine, which cannot be pulled here: Debian's
# redis-server on the Debian base `make image-test` builds. Same contract as the official
# image for the manifest: arguments go to redis-server, uid 999 owns /data.
ARG BASE_IMAGE=emotion-chat/python-base:3.11
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown 999:999 /data
WORKDIR /data
USER 999
EXPOSE 6379
ENTRYPOINT ["redis-server"]
