# Multi-stage: build with the dev toolchain, run with production dependencies only.
# Node 24 is the active LTS line; package.json engines lists every line the service supports.
# `npm ci` would build through the prepare script before the sources are here (and, with
# --omit=dev, without tsc): install without scripts, then build as a step of its own. No production
# dependency needs its install script to run dist/server.js (esbuild's serves tsx, for `npm run dev`).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# Without DATABASE_URL the image runs on embedded PGlite in /app/data, which the node user must own.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:3000/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The flags of `npm start` (package.json): stack traces point at src/ through the build's source map;
# a smaller young generation and a bounded old one, which V8 then grows less eagerly, keep the
# service's peak memory under load lower (docs/benchmarks.md, Memory).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=8", "--max-old-space-size=512", "dist/server.js"]
