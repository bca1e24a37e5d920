# Build stage: compile the release binary (templates, catalog, CSS and migrations are inside it).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY templates templates
COPY locales locales
COPY migrations migrations
COPY static static
RUN cargo build --release --locked

# Run stage: a small Debian with the binary and pg_dump/pg_restore (for `renkei backup`); the
# database is the compose service.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 renkei \
    && mkdir /backups && chown renkei /backups
COPY --from=build /src/target/release/renkei /usr/local/bin/renkei
USER renkei
ENV RENKEI_BIND=0.0.0.0:8080
EXPOSE 8080
CMD ["renkei", "serve"]
