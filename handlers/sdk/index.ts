export { ecrRequestHandler } from './request-handler.js'
export { attachEcr } from './attach.js'
export type { EcrRequestHandler, EcrRequestHandlerOptions, LegacyAbortSignal, SdkHandlerOptions, SdkHttpRequest, SdkHttpResponse } from './glossary.js'
export type { EcrCredentials } from '../sigv4.js'
