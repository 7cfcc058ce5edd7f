# syntax=docker/dockerfile:1
#
# segura-operator image: built with the exact dependencies of Cargo.lock and
# run as the distroless "nonroot" user (65532) with nothing but the binary,
# glibc, libgcc and the CA certificates.
#
#   docker build -t ghcr.io/segura-operator/segura-operator:dev .
#
# BuildKit (the default builder) keeps the cargo registry and target directory
# in cache mounts, so a source change does not rebuild the dependencies.

FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked --bin segura-operator \
 && install -m 0755 -s target/release/segura-operator /segura-operator

FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="segura-operator" \
      org.opencontainers.image.description="Keeps Credential resources in sync with the Segura PAM Core API" \
      org.opencontainers.image.source="https://github.com/segura-operator/segura-operator" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=builder /segura-operator /segura-operator
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/segura-operator"]
CMD ["run"]
