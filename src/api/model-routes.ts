import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../core/index.js';
import type { ModelVersion as RegisteredVersion } from '../ml/index.js';
import { clientError } from './error-response.js';
import type { ModelMetrics, ModelVersion, TrainedModel } from './schemas/index.js';
import {
  AliasParams,
  AliasRequest,
  errorAnswers,
  ModelParams,
  ModelVersion as ModelVersionSchema,
  ModelVersionList,
  TrainedModel as TrainedModelSchema,
  TrainRequest,
  VersionParams,
} from './schemas/index.js';

/** The model operations behind `/v1/models` (the registry plus the project's declared models). */
export interface ModelService {
  versions(name?: string): Promise<RegisteredVersion[]>;
  resolve(name: string, reference: string): Promise<RegisteredVersion>;
  /** What training returns: the answer of `POST /v1/models/{name}/train`, the version as registered. */
  train(
    name: string,
    promote?: string,
  ): Promise<Omit<TrainedModel, 'version'> & { readonly version: RegisteredVersion }>;
  setAlias(name: string, alias: string, version: number): Promise<RegisteredVersion>;
  rollback(name: string, alias: string): Promise<RegisteredVersion>;
}

/** A registered version as answered: the registry keeps metrics as JSON; the schema says what they hold. */
function answer(version: RegisteredVersion): ModelVersion {
  const id = version.trainingSnapshotId;
  return {
    ...version,
    metrics: version.metrics as ModelMetrics,
    trainingSnapshotId: typeof id === 'bigint' ? String(id) : id,
  };
}

/** `/v1/models`: list, show, train, promote and roll back registered models. */
export function registerModelRoutes(fastify: FastifyInstance, models: ModelService): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Every registered model version',
        response: { 200: ModelVersionList, ...errorAnswers },
      },
    },
    async () => ({ versions: (await models.versions()).map(answer) }),
  );

  app.get(
    '/v1/models/:name',
    {
      schema: {
        tags: ['models'],
        summary: "A model's versions, newest first",
        params: ModelParams,
        response: { 200: ModelVersionList, ...errorAnswers },
      },
    },
    async (request, reply) => {
      const versions = await models.versions(request.params.name);
      if (versions.length === 0)
        return reply
          .code(404)
          .send(
            clientError(
              404,
              ErrorCode.NOT_FOUND,
              `no model named '${request.params.name}' is registered; train it first`,
              'name',
            ).body,
          );
      return { versions: versions.map(answer) };
    },
  );

  app.get(
    '/v1/models/:name/versions/:ref',
    {
      schema: {
        tags: ['models'],
        summary: 'One version by number or alias (e.g. champion), with lineage and metrics',
        params: VersionParams,
        response: { 200: ModelVersionSchema, ...errorAnswers },
      },
    },
    async (request) => answer(await models.resolve(request.params.name, request.params.ref)),
  );

  app.post(
    '/v1/models/:name/train',
    {
      schema: {
        tags: ['models'],
        summary: 'Train a model declared in lakestream.yaml on its table, register it, optionally promote it',
        params: ModelParams,
        body: TrainRequest,
        response: { 201: TrainedModelSchema, ...errorAnswers },
      },
      // no body, or one that is not {promote: string}, trains without promoting (as it always has)
      attachValidation: true,
    },
    async (request, reply) => {
      const promote = typeof request.body?.promote === 'string' ? request.body.promote : undefined;
      const trained = await models.train(request.params.name, promote);
      return reply.code(201).send({ ...trained, version: answer(trained.version) });
    },
  );

  app.put(
    '/v1/models/:name/aliases/:alias',
    {
      schema: {
        tags: ['models'],
        summary: 'Point an alias (e.g. champion) at a version; streams use it from their next batch',
        params: AliasParams,
        body: AliasRequest,
        response: { 200: ModelVersionSchema, ...errorAnswers },
      },
    },
    async (request) =>
      answer(await models.setAlias(request.params.name, request.params.alias, request.body.version)),
  );

  app.post(
    '/v1/models/:name/aliases/:alias/rollback',
    {
      schema: {
        tags: ['models'],
        summary: 'Move an alias back to the version it pointed at before',
        params: AliasParams,
        response: { 200: ModelVersionSchema, ...errorAnswers },
      },
    },
    async (request) => answer(await models.rollback(request.params.name, request.params.alias)),
  );
}
