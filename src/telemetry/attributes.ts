/**
 * Span and metric attribute names: the OpenTelemetry GenAI semantic conventions (`gen_ai.*`, from the official
 * `@opentelemetry/semantic-conventions/incubating`), plus Gondola's own (`venice.*`, `wallet.*`, `gondola.*`).
 */
export {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating'
export { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions'

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
