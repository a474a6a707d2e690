# syntax=docker/dockerfile:1
# cilium-runbook: the Slack bot, compiled to JavaScript and run with `node dist/bot/main.js` (no tsx at run time).
# Build and push: deploy/README.md, "The image". Without Docker, `node scripts/check-compiled.mjs` checks the same
# build. Linted by test/deploy/container.test.ts (pinned FROM tags, npm ci, no ADD of URLs, non-root final stage).

# ---- deps: production dependencies only ----
FROM node:22.20.0-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- compile: tsc emits JavaScript into dist/; only dist/ leaves this stage ----
FROM node:22.20.0-bookworm-slim AS compile
WORKDIR /app
COPY package.json package-lock.json ./
# The compiler and Node's type definitions are dev dependencies, needed here only.
RUN npm ci --include=dev --no-audit --no-fund
# Only what bot/main.ts imports (the test checks this list against the import graph).
COPY tsconfig.json tsconfig.build.json ./
COPY bot ./bot
COPY jobs ./jobs
COPY runbooks ./runbooks
RUN node node_modules/typescript/lib/tsc.js -p tsconfig.build.json

# ---- fonts: the chart PNGs (bot/render/charts/, rasterised by resvg) need a font for their labels; the slim
# image has none. Only the font files are copied into the runtime stage, not apt. ----
FROM node:22.20.0-bookworm-slim AS fonts
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

# ---- runtime: node, production dependencies and the JavaScript; no package manager, no compiler ----
FROM node:22.20.0-bookworm-slim AS runtime
ENV NODE_ENV=production
# npm, npx and corepack are not needed at run time: remove them from the final image.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
WORKDIR /app
# Owned by root and read-only to the app user: the process cannot change its own code.
# package.json says "type": "module": the emitted .js files are ES modules.
COPY --from=deps --chown=root:root /app/package.json /app/package.json
COPY --from=deps --chown=root:root /app/node_modules /app/node_modules
COPY --from=compile --chown=root:root /app/dist /app/dist
COPY --from=fonts --chown=root:root /usr/share/fonts/truetype/dejavu /usr/share/fonts/truetype/dejavu
# 1000 is the `node` user of the official image; numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# HEALTH_PORT: /healthz and /readyz (Kubernetes probes, deploy/base/bot-deployment.yaml).
EXPOSE 8080
# No HEALTHCHECK: Kubernetes ignores it and uses the probes; docker-compose.yml declares its own. The image has no
# curl/wget to run one with, on purpose.
STOPSIGNAL SIGTERM
CMD ["node", "dist/bot/main.js"]
