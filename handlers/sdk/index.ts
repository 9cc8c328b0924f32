export { ecrRequestHandler } from './request-handler.js'
export type { EcrRequestHandler, EcrRequestHandlerOptions, LegacyAbortSignal, SdkHandlerOptions, SdkHttpRequest, SdkHttpResponse } from './glossary.js'
export type { EcrCredentials } from '../sigv4.js'
