/**
 * Span and metric attribute names: the OpenTelemetry GenAI semantic conventions (`gen_ai.*`, as named by
 * `@opentelemetry/semantic-conventions/incubating`), plus Gondola's own (`venice.*`, `wallet.*`, `gondola.*`).
 */
// The conventions' names as plain strings: `@opentelemetry/semantic-conventions` is 10 MB on disk and ~50 ms to load
// for these fourteen names (issue #25). test/telemetry.attributes.test.ts checks each against the package.
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name'
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name'
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name'
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model'
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons'
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id'
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model'
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id'
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name'
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens'
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens'
export const ATTR_ERROR_TYPE = 'error.type'
export const ATTR_SERVER_ADDRESS = 'server.address'
export const ATTR_SERVER_PORT = 'server.port'
export const ATTR_SERVICE_NAME = 'service.name'
export const ATTR_SERVICE_VERSION = 'service.version'

/** Venice's provider name in `gen_ai.provider.name` (not in the conventions' list of well-known providers). */
export const VENICE_PROVIDER = 'venice'
export const ATTR_VENICE_COST_DIEM = 'venice.cost.diem'
export const ATTR_VENICE_COST_USD = 'venice.cost.usd'
export const ATTR_VENICE_BALANCE_DIEM_AFTER = 'venice.balance.diem_after'
export const ATTR_VENICE_BALANCE_USD_AFTER = 'venice.balance.usd_after'
export const ATTR_VENICE_REQUEST_ID = 'venice.request_id'
/** A key's redacted hint (`vk_ab…9f3c`) or id: never the key. */
export const ATTR_VENICE_KEY = 'venice.key'
export const ATTR_WALLET_TX_HASH = 'wallet.tx.hash'
export const ATTR_WALLET_TX_GAS_USED = 'wallet.tx.gas_used'
export const ATTR_WALLET_TX_STATUS = 'wallet.tx.status'
export const ATTR_WALLET_TX_LABEL = 'wallet.tx.label'
export const ATTR_WALLET_TX_TO = 'wallet.tx.to'
export const ATTR_KEY_OPERATION = 'gondola.key.operation'
export const ATTR_KEY_ID = 'gondola.key.id'
export const ATTR_KEY_TYPE = 'gondola.key.type'
export const ATTR_AGENT = 'gondola.agent'
