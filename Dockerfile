# Switchboard in a container: the one binary on a slim base, as a non-root user, with its data
# in a volume. Build: docker build -t switchboard .   Run: docker run -p 3000:3000 -v sb:/data switchboard
# The build stage runs the same scripts as a developer's machine and CI (scripts/test.sh runs
# scripts/build-release.sh; tests/house.rs checks that the scripts named here exist).

FROM rust:1-bookworm AS build
# Node.js and npm: wasm-opt comes prebuilt from npm, and node compresses the site.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The tools first, so a source change does not reinstall them.
COPY Cargo.toml Cargo.lock ./
COPY scripts/install-run-tools.sh scripts/
RUN bash scripts/install-run-tools.sh
COPY . .
RUN bash scripts/build-release.sh && cp target/release/switchboard /usr/local/bin/switchboard

FROM debian:bookworm-slim
# The system's root certificates, for SMTP over TLS and S3; nothing else.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home switchboard \
    && mkdir /files && chown switchboard:switchboard /files
COPY --from=build /usr/local/bin/switchboard /usr/local/bin/switchboard
USER switchboard
WORKDIR /data
VOLUME /data
ENV SWITCHBOARD_ADDRESS=0.0.0.0:3000 \
    DATABASE_URL=sqlite:///data/switchboard.db
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 \
    CMD ["switchboard", "--healthcheck"]
ENTRYPOINT ["switchboard"]
