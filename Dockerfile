# ggzy-metricsd in a container image (Debian 12 "bookworm").
#   docker build -t ggzy-metricsd .
#   docker compose up --build         (the whole trial: see docker-compose.yml)
# The image's configuration is the example one (it listens on loopback inside
# the container and expects a store at /run/postgresql); mount a configuration
# of your own at /etc/ggzy-metricsd/ggzy-metricsd.conf, as docker-compose.yml
# does with deploy/docker/ggzy-metricsd.conf (listen = 0.0.0.0:9470).
# Written without a Docker engine at hand: not yet built (see README).

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake pkg-config \
        libevent-dev libjansson-dev libpq-dev zlib1g-dev libssl-dev libxlsxwriter-dev python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# What the build reads (tests/ only for its CMakeLists.txt, which configure reads).
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY daemon/ daemon/
COPY collectors/ collectors/
COPY sql/ sql/
COPY config/ config/
COPY deploy/grafana/ deploy/grafana/
COPY deploy/prometheus/ deploy/prometheus/
COPY deploy/systemd/ deploy/systemd/
COPY tests/ tests/
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGGZY_WERROR=OFF \
        -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc \
 && cmake --build build --target ggzy-metricsd -j"$(nproc)" \
 && DESTDIR=/stage cmake --install build \
 && rm -rf /stage/usr/lib/systemd

FROM debian:bookworm-slim
# Runtime libraries only (libevent with its OpenSSL part, jansson, libpq, zlib,
# libssl, libxlsxwriter), time zones, and curl for the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libevent-2.1-7 libevent-openssl-2.1-7 libjansson4 \
        libpq5 zlib1g libssl3 libxlsxwriter4 \
        tzdata ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10470 --user-group --home-dir /nonexistent \
        --shell /usr/sbin/nologin ggzy
COPY --from=build /stage/ /
USER ggzy
EXPOSE 9470
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:9470/healthz || exit 1
ENTRYPOINT ["/usr/bin/ggzy-metricsd"]
CMD ["-c", "/etc/ggzy-metricsd/ggzy-metricsd.conf"]
