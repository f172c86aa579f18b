// A minimal y-websocket client (y-protocols sync over a WebSocket), lighter than WebsocketProvider so
// that a thousand of them fit in the driver process. It measures, for every update it receives,
// how long ago its author made it (authors register the first struct id of each update they send).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { bucketOf } from '../lib/histogram.ts';

/** Send times of updates, by `<clientID>:<first clock>`; shared by every client of a run. */
export type SentTimes = Map<string, number>;

export class YClient {
  readonly doc = new Y.Doc();
  readonly ws: WebSocket;
  readonly synced: Promise<void>;
  received = 0;
  private onSynced = () => {};

  constructor(
    url: string,
    private readonly sent: SentTimes,
    private readonly hist: number[],
  ) {
    this.synced = new Promise((r) => (this.onSynced = r));
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onmessage = (e) => this.onMessage(new Uint8Array(e.data as ArrayBuffer));
    this.ws.onopen = () => {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, 0);
      syncProtocol.writeSyncStep1(enc, this.doc);
      this.ws.send(encoding.toUint8Array(enc));
    };
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this || this.ws.readyState !== WebSocket.OPEN) return;
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, 0);
      syncProtocol.writeUpdate(enc, update);
      this.ws.send(encoding.toUint8Array(enc));
    });
  }

  /** Appends a few characters, recording when, so receivers can measure the latency. */
  type(chars: string) {
    const clock = Y.getState(this.doc.store, this.doc.clientID);
    this.sent.set(`${this.doc.clientID}:${clock}`, performance.now());
    const text = this.doc.getText('content');
    text.insert(text.length, chars);
  }

  close() {
    this.ws.close();
    this.doc.destroy();
  }

  private onMessage(frame: Uint8Array) {
    const dec = decoding.createDecoder(frame);
    const type = decoding.readVarUint(dec);
    if (type !== 0) return; // awareness and errors are not measured
    const sub = decoding.readVarUint(dec);
    const payload = decoding.readVarUint8Array(dec);
    if (sub === 0) {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, 0);
      syncProtocol.writeSyncStep2(enc, this.doc, payload);
      this.ws.send(encoding.toUint8Array(enc));
      return;
    }
    if (sub === 2) {
      const now = performance.now();
      const meta = Y.parseUpdateMeta(payload);
      for (const [client, clock] of meta.from) {
        // y-websocket's server echoes an update to its author too: not a delivery.
        if (client === this.doc.clientID) continue;
        const at = this.sent.get(`${client}:${clock}`);
        if (at !== undefined) {
          this.hist[bucketOf(now - at)]!++;
          this.received++;
        }
      }
    }
    Y.applyUpdate(this.doc, payload, this);
    if (sub === 1) this.onSynced();
  }
}
