# syntax=docker/dockerfile:1
# Build: a static binary; run: a distroless image with nothing else in it.
# The Go version is go.mod's (a test in cmd/server checks that they agree).
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/server /server
ENV APP_ENV=production PORT=8080
EXPOSE 8080
USER nonroot:nonroot
# The image has no shell: the binary checks itself (GET /readyz on PORT).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/server", "healthcheck"]
ENTRYPOINT ["/server"]
