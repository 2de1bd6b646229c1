/**
 * The JSON shapes of the API's routes (bodies, parameters, answers), each written once as a
 * JSON Schema with TypeBox: Fastify validates requests and serializes answers with them, the
 * OpenAPI document shows them, and `Static<typeof X>` gives the types the server and the
 * dashboard use. The front end (`src/web`) imports the types only (`import type`): files here
 * import nothing but `typebox` and each other.
 */
export * from './dashboard.js';
export * from './error-body.js';
export * from './jobs.js';
export * from './lake.js';
export * from './models.js';
