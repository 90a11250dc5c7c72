// URL prefixes shared by the server that mounts routes and the clients that call them.
export const RPC_PREFIX = '/rpc' as const;
export const REST_PREFIX = '/api' as const;
export const OPENAPI_PATH = '/api/openapi.json' as const;
export const HEALTH_PATH = '/healthz' as const;
/** Readiness (database answers, data-dir lock held): 503 with a JSON reason when the instance cannot serve. */
export const READY_PATH = '/readyz' as const;
/** `GET /blobs/<sha512 hex digest>`: tarball bytes for reconcilers on other hosts. */
export const BLOB_PREFIX = '/blobs' as const;
/** `GET /types/<lockfileHash>/<package>`: the .d.ts closure for the script editor. */
export const TYPES_PREFIX = '/types' as const;
