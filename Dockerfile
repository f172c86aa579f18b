# NOT BUILT HERE: there is no Docker engine on the machine this was written on. A starting point.
#
# Copies the single executable (npm ci && npm run build -> dist/parley, linux-x64, glibc) onto a
# slim base. Nothing else is needed: the server, migrations, embedded database and web app are
# inside the binary, which links only libc, libpthread, libdl and libm.
#
#   npm ci && npm run build && docker build -t parley .
#   docker run -p 3000:3000 -v parley-data:/data parley                      # embedded database
#   docker run -p 3000:3000 -e DATABASE_URL=… -e REDIS_URL=… -e JWT_SECRET=… parley
FROM busybox:stable AS prep
RUN mkdir -m 0700 /data

FROM gcr.io/distroless/base-debian12:nonroot
COPY --chmod=0555 dist/parley /usr/local/bin/parley
# The data directory belongs to the nonroot user (65532), mode 0700; a named volume inherits both.
COPY --from=prep --chown=65532:65532 /data /data

ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /data
VOLUME /data
EXPOSE 3000

# SIGTERM drains (clients are told to reconnect); allow longer than SHUTDOWN_GRACE_SECONDS
# (docker stop -t 30). The server is PID 1 and installs its own handlers.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/parley"]
