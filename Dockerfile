# Tillit's container image: a release build on Debian bookworm, run as an unprivileged user.
# The binary carries its migrations, templates, message catalogues, stylesheet and default
# settings; at run time it reads only config/<TILLIT_ENV>.toml besides its environment.
# `bash tests/dockerfile_context.sh` checks, without Docker, that the build stage's COPY lines hold
# everything the crate compiles in (it runs in `bash tests/run`).

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
# embedded by diesel_migrations (`tillit migrate`)
COPY migrations migrations
# askama templates and the message catalogues (templates/i18n)
COPY templates templates
# the stylesheet served at /static/tillit.css
COPY static static
# the compiled-in defaults
COPY config/default.toml config/default.toml
RUN cargo build --release --locked --bin tillit

FROM debian:bookworm-slim
# libpq5 for diesel; ca-certificates for TLS to a remote PostgreSQL
# (sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt). Time zones are compiled in
# (chrono-tz), so no tzdata.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tillit \
 && useradd --system --uid 10001 --gid tillit --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin tillit
WORKDIR /app
COPY --from=build /src/target/release/tillit /usr/local/bin/tillit
COPY config/production.toml config/production.toml
ENV TILLIT_ENV=production \
    TILLIT_BIND=0.0.0.0:8080 \
    TILLIT_CONFIG_DIR=/app/config
# numeric, so an orchestrator's runAsNonRoot can verify it
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["tillit"]
CMD ["serve"]
