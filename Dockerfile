# One image for all four apps; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim AS build
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
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app
USER node
CMD ["node", "apps/timeline-api/dist/main.js"]
