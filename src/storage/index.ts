// Public surface of the storage layer: the ObjectStore port and its implementations.
export type { ListOptions, ObjectInfo, ObjectStore } from './object-store.js';
export { LocalObjectStore } from './local-object-store.js';
export type { LocalObjectStoreOptions } from './local-object-store.js';
export { S3ObjectStore } from './s3-object-store.js';
export type { S3ObjectStoreOptions } from './s3-object-store.js';
