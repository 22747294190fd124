# riskstream image for docker-compose.yml. The build stage is a fresh Debian 12 set up and built by the
# project's own scripts (scripts/setup, scripts/build); the runtime stage holds the binary, the Debian
# packages of the shared libraries it links (found with ldd + dpkg -S, so the list never drifts from
# the build) and the default configs.
#
#   docker build -t riskstream .
#   docker run --rm riskstream --help
FROM debian:12 AS build
WORKDIR /src
# setup first, alone, so the package layer is cached across source changes.
COPY scripts/setup scripts/setup
RUN bash scripts/setup && rm -rf /var/lib/apt/lists/*
COPY . .
RUN bash scripts/build --target riskstream \
 && install -D -m 0755 build/riskstream /out/usr/local/bin/riskstream \
 && for lib in $(ldd build/riskstream | awk '$3 ~ /^\// {print $3}'); do \
      real=$(realpath "$lib"); \
      dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null \
        || { echo "no Debian package ships $lib" >&2; exit 1; }; \
    done | cut -d: -f1 | sort -u > /out/runtime-packages \
 && cat /out/runtime-packages

FROM debian:12-slim
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive xargs -a /tmp/runtime-packages \
      apt-get install -y -qq --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && useradd --system --uid 10001 --home-dir /var/lib/riskstream --create-home riskstream \
 && install -d -o riskstream -g riskstream /var/lib/riskstream/state
COPY --from=build /out/usr/local/bin/riskstream /usr/local/bin/riskstream
# Defaults; docker-compose.yml mounts deploy/riskstream/riskstream.yaml and configs/*.yaml over them.
COPY deploy/riskstream/riskstream.yaml configs/features.yaml configs/rules.yaml \
     configs/scorecard.yaml /etc/riskstream/
COPY configs/lists /etc/riskstream/lists
USER riskstream
WORKDIR /var/lib/riskstream
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/riskstream"]
CMD ["run", "--config", "/etc/riskstream/riskstream.yaml"]
