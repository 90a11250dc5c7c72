export { openDatabase, type Database, type DatabaseOptions } from './db/database.ts';
export { createScriptPackagesBackend, type BackendOptions, type ScriptPackagesBackend } from './plugin.ts';
export type { HttpRoute } from './http/http-route.ts';
export { sendJsonError } from './http/http-route.ts';
export { validationToORPCError } from './router/error-mapping.ts';
export type { Router, RouterContext } from './router/router.ts';
export { createHookBus, silentLogger, systemClock, type Authenticator, type BackendServices, type Clock, type HookBus, type Logger } from './services.ts';
