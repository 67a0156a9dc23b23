# Tillit's container image: a static-ish release build on Debian bookworm, run as an unprivileged
# user. Migrations are embedded in the binary (`tillit migrate`); configuration defaults are
# compiled in, and config/ is copied so <TILLIT_ENV>.toml overrides apply.

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY templates templates
COPY config config
RUN cargo build --release --locked --bin tillit

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /app tillit
WORKDIR /app
COPY --from=build /src/target/release/tillit /usr/local/bin/tillit
COPY config config
ENV TILLIT_ENV=production \
    TILLIT_BIND=0.0.0.0:8080 \
    TILLIT_CONFIG_DIR=/app/config
USER tillit
EXPOSE 8080
ENTRYPOINT ["tillit"]
CMD ["serve"]
