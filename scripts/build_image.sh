#!/usr/bin/env bash
# Build the Dockerfile for real without a Docker engine or a registry, start the server in the built
# image, and ask it for /healthz and a summary.
#
#   scripts/build_image.sh            # needs Debian's buildah, podman and mmdebstrap (apt-get install ...)
#
# The base image is made locally (no registry can be reached here): a minimal Debian bookworm with
# python3, venv and pip, imported into podman's store as localhost/debian-py:bookworm (kept for the
# next run). buildah builds with --isolation chroot (podman run does not work on these machines:
# cgroups hybrid mode); CONTAINERS_CONF drops the default ulimits, which chroot isolation cannot set.
# On this project's machines pip takes the CPU torch build from /opt/wheels (mounted into the build).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/tomtat:dev}
BASE=localhost/debian-py:bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
conf="$work/containers.conf"
printf '[containers]\ndefault_ulimits = []\n' > "$conf"
export CONTAINERS_CONF="$conf"
container=""
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    [ -n "$container" ] && buildah rm "$container" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

step() { echo "[build_image] $*"; }

if ! podman image exists "$BASE"; then
    step "making the base image $BASE with mmdebstrap"
    mmdebstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
        bookworm "$work/rootfs.tar" "deb $MIRROR bookworm main" >/dev/null
    podman import "$work/rootfs.tar" "$BASE" >/dev/null
fi

build_args=(--build-arg "BASE=$BASE")
volumes=()
if [ -d /opt/wheels ]; then
    build_args+=(--build-arg "TORCH_INDEX=https://pypi.org/simple" --build-arg "PIP_FIND_LINKS=/opt/wheels")
    volumes+=(--volume /opt/wheels:/opt/wheels:ro)
fi
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then  # the host's CA bundle (a proxy's CA, if any)
    volumes+=(--volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
fi
started=$(date +%s)
step "buildah bud -t $IMAGE (BASE=$BASE)"
buildah bud --isolation chroot --layers=false "${build_args[@]}" "${volumes[@]}" -t "$IMAGE" . > "$work/build.log" 2>&1 \
    || { tail -40 "$work/build.log"; exit 1; }
step "built in $(( $(date +%s) - started )) s: $(podman image inspect "$IMAGE" --format '{{.Size}}') bytes"

container=$(buildah from "$IMAGE")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# the image's own user, environment and command line; chroot isolation shares this host's network
buildah run --isolation chroot --user tomtat --env TOMTAT_HOST=127.0.0.1 --env TOMTAT_PORT="$port" \
    "$container" -- tomtat serve > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; then break; fi
    sleep 1
done
curl -sf "http://127.0.0.1:$port/healthz" | grep -q '"ok"' || { tail -40 "$work/serve.log"; exit 1; }
body=$(python3 -c 'import json,sys; print(json.dumps({"text": open(sys.argv[1], encoding="utf-8").read()}))' \
    models/data/sample_vi.txt)
answer=$(curl -sf "http://127.0.0.1:$port/v1/summarize" -H 'content-type: application/json' -d "$body")
echo "$answer" | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; assert r["engine"]=="extractive" and r["summary"], r; print("[build_image] summary:", r["summary"][:100], "...")'
version=$(buildah run --isolation chroot "$container" -- tomtat --version)
step "the image serves: /healthz ok, an extractive summary over HTTP, $version"
