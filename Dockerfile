# syntax=docker/dockerfile:1
#
# The gateway's production image:  docker build -t ems-gateway .
#   build    every dependency; compiles src/ to dist/ (and the dashboard to web/dist/ once it has a build)
#   deps     production dependencies only
#   runtime  Node, those dependencies and the compiled output: no compiler, no tsx, no dev packages
# Node 24 instead of 22:  docker build --build-arg NODE_IMAGE=node:24-bookworm-slim -t ems-gateway .

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# web/dist is created empty when there is no dashboard build, so the runtime stage can always copy it.
RUN npm run build && mkdir -p web/dist

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 (the idempotency store without Redis) is native: its install script fetches a
# prebuilt binary for this Node, or compiles it, hence the build tools in this stage only.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/var/lib/ems-gateway
WORKDIR /app
# Code and dependencies stay owned by root, read-only to the process; only DATA_DIR is its own.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
RUN mkdir -p /var/lib/ems-gateway && chown 1000:1000 /var/lib/ems-gateway
# The image's `node` user, by number so that Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM/SIGINT itself (no npm or shell in between).
CMD ["node", "dist/main.js"]
