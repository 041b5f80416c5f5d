# Production image for the worker, the api and the migration job (same image, different command). Used by docker-compose.yml.
# Node 24 LTS: the runtime the production-topology test runs Merzim's processes on (test/integration/production-stack.test.ts).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY . .
# Workers load a prebuilt workflow bundle instead of bundling at every start.
RUN npx tsx worker/build-workflows.ts /app/dist/workflow-bundle.js
ENV MERZIM_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
USER node
HEALTHCHECK --interval=15s --start-period=30s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["npm", "run", "api"]
