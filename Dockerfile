# Production image for the worker and the api (same image, different command). Used by docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY . .
# Workers load a prebuilt workflow bundle instead of bundling at every start.
RUN npx tsx worker/build-workflows.ts /app/dist/workflow-bundle.js
ENV MERZIM_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
USER node
CMD ["npm", "run", "api"]
