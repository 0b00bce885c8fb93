/**
 * Gondola in other hosts: a self-funding `fetch` for any OpenAI-compatible client, and Gondola tools as AI SDK tools.
 *
 * @example
 * ```ts
 * import { createSelfFundingFetch, toAiSdkTools } from './index.js'
 * const funded = createSelfFundingFetch({ baseURL, apiKey, topUp: createWalletTopUp({ wallet, policy }), funding: policy })
 * ```
 */
export { createSelfFundingFetch, type SelfFundingFetch, type SelfFundingFetchOptions } from './selfFundingFetch.js'
export { toAiSdkTools } from './aiSdk.js'
