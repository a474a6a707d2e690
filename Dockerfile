# syntax=docker/dockerfile:1
# cilium-runbook: the Slack bot (`tsx bot/main.ts`). Build: docker build -t ghcr.io/example/cilium-runbook:0.1.0 .
# Linted by test/deploy/container.test.ts (pinned FROM tags, npm ci, no ADD of URLs, non-root final stage).

# ---- build: production dependencies only (tsx is one: the bot runs TypeScript directly) ----
FROM node:22.20.0-bookworm-slim AS build
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Only what `tsx bot/main.ts` imports (the test checks this list against the import graph).
COPY tsconfig.json ./
COPY bot ./bot
COPY jobs ./jobs
COPY runbooks ./runbooks

# ---- runtime: node and the app, no package manager, no compiler, no shell tools added ----
FROM node:22.20.0-bookworm-slim AS runtime
ENV NODE_ENV=production
# npm, npx and corepack are not needed at run time: remove them from the final image.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
WORKDIR /app
# Owned by root and read-only to the app user: the process cannot change its own code.
COPY --from=build --chown=root:root /app /app
# 1000 is the `node` user of the official image; numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# HEALTH_PORT: /healthz and /readyz (Kubernetes probes, deploy/base/bot-deployment.yaml).
EXPOSE 8080
# No HEALTHCHECK: Kubernetes ignores it and uses the probes; docker-compose.yml declares its own. The image has no
# curl/wget to run one with, on purpose.
STOPSIGNAL SIGTERM
CMD ["node_modules/.bin/tsx", "bot/main.ts"]
