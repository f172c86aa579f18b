/**
 * tRPC WebSocket frames built by splicing: the event JSON is serialized once and embedded as is,
 * so a frame costs one string concatenation per subscription id, not one JSON.stringify per
 * subscriber. Durable events carry tRPC's tracked id twice, as tRPC's own adapter sends them
 * (`result.id` and `result.data.id`), which stock clients read back as `{ id, data }`.
 * Ephemeral events carry only `result.id`, the subscriber's current position: their data stays
 * bare, but a stock client that saw one last still resumes from the right place.
 */
export function frameBuilder(idJson: string, jsonrpc: boolean) {
  const head = jsonrpc ? `{"id":${idJson},"jsonrpc":"2.0","result":{"type":"data",` : `{"id":${idJson},"result":{"type":"data",`;
  return (id: number, json: string, tracked: boolean): string =>
    tracked ? `${head}"id":"${id}","data":{"id":"${id}","data":${json}}}}` : `${head}"id":"${id}","data":${json}}}`;
}

export const RECONNECT_FRAME = '{"id":null,"method":"reconnect"}';
