/**
 * Janus's WebSocket API (subprotocol "janus-protocol"), as much as the live room needs: one
 * session, VideoRoom handles, requests that answer with an event of their transaction, trickle,
 * keepalives. Every request carries the member's signed token (the app hands it out and renews it).
 */
export interface JanusEvent {
  janus: string;
  transaction?: string;
  sender?: number;
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: RTCSessionDescriptionInit;
  error?: { code: number; reason: string };
  data?: { id: number };
}

type Waiter = { resolve: (e: JanusEvent) => void; reject: (e: Error) => void; ack: boolean };

export class JanusSession {
  private ws: WebSocket | null = null;
  private id = 0;
  private readonly waiting = new Map<string, Waiter>();
  private readonly handlers = new Map<number, (e: JanusEvent) => void>();
  private keepalive: number | undefined;
  private next = 0;
  /** Called once when the connection is gone (closed, failed, or the session timed out). */
  onclose: () => void = () => {};

  constructor(private readonly url: string, public token: string) {}

  async connect(timeoutMs = 5000): Promise<void> {
    const ws = new WebSocket(this.url, 'janus-protocol');
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      const timer = window.setTimeout(() => { reject(new Error('janus: connect timeout')); ws.close(); }, timeoutMs);
      ws.onopen = () => { window.clearTimeout(timer); resolve(); };
      ws.onerror = () => { window.clearTimeout(timer); reject(new Error('janus: unreachable')); };
    });
    ws.onmessage = (m) => this.receive(JSON.parse(String(m.data)) as JanusEvent);
    ws.onclose = () => this.closed();
    ws.onerror = () => {};
    const created = await this.request({ janus: 'create' });
    this.id = created.data?.id ?? 0;
    // Janus ignores a request without a transaction: a keepalive without one lets the session time out (60 s).
    this.keepalive = window.setInterval(() => this.send({ janus: 'keepalive', session_id: this.id, transaction: this.transaction() }), 20000);
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.id !== 0;
  }

  async attach(onevent: (e: JanusEvent) => void): Promise<number> {
    const attached = await this.request({ janus: 'attach', session_id: this.id, plugin: 'janus.plugin.videoroom' });
    const handle = attached.data?.id ?? 0;
    this.handlers.set(handle, onevent);
    return handle;
  }

  /** A plugin message; resolves with the plugin's answer (synchronous) or its event (asynchronous). */
  message(handle: number, body: Record<string, unknown>, jsep?: RTCSessionDescriptionInit): Promise<JanusEvent> {
    return this.request({ janus: 'message', session_id: this.id, handle_id: handle, body, ...(jsep ? { jsep } : {}) }, true);
  }

  trickle(handle: number, candidate: RTCIceCandidateInit | null): void {
    this.send({ janus: 'trickle', session_id: this.id, handle_id: handle, candidate: candidate ?? { completed: true }, transaction: this.transaction() });
  }

  detach(handle: number): void {
    this.handlers.delete(handle);
    if (this.connected) this.send({ janus: 'detach', session_id: this.id, handle_id: handle, transaction: this.transaction() });
  }

  close(): void {
    if (this.connected) this.send({ janus: 'destroy', session_id: this.id, transaction: this.transaction() });
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.closed();
  }

  private closed(): void {
    if (this.keepalive !== undefined) window.clearInterval(this.keepalive);
    this.keepalive = undefined;
    for (const w of this.waiting.values()) w.reject(new Error('janus: closed'));
    this.waiting.clear();
    if (this.id !== 0 || this.ws === null) {
      this.id = 0;
      const done = this.onclose;
      this.onclose = () => {};
      done();
    }
  }

  private transaction(): string {
    return `t${++this.next}${Math.random().toString(36).slice(2, 8)}`;
  }

  private request(message: Record<string, unknown>, ack = false): Promise<JanusEvent> {
    const transaction = this.transaction();
    return new Promise<JanusEvent>((resolve, reject) => {
      this.waiting.set(transaction, { resolve, reject, ack });
      window.setTimeout(() => {
        if (this.waiting.delete(transaction)) reject(new Error(`janus: no answer to ${String(message.janus)}`));
      }, 10000);
      this.send({ ...message, transaction });
    });
  }

  private send(message: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ ...message, token: this.token }));
  }

  private receive(e: JanusEvent): void {
    const waiter = e.transaction ? this.waiting.get(e.transaction) : undefined;
    if (waiter) {
      if (e.janus === 'ack' && waiter.ack) return; // the event follows
      this.waiting.delete(e.transaction!);
      const pluginError = e.plugindata?.data?.error_code;
      if (e.janus === 'error') waiter.reject(new Error(`janus ${e.error?.code}: ${e.error?.reason}`));
      else if (pluginError) waiter.reject(new Error(`videoroom ${String(pluginError)}: ${String(e.plugindata?.data?.error)}`));
      else waiter.resolve(e);
      // An asynchronous event may also carry news for the handle (e.g. the publishers list).
      if (e.janus !== 'event') return;
    }
    if (e.janus === 'timeout') { this.close(); return; }
    if (e.sender !== undefined) this.handlers.get(e.sender)?.(e);
  }
}
