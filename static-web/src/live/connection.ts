import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection, type ILogger } from '@microsoft/signalr';
import { clientMethods } from './events';
import { SeqGate, type EnterResponse, type Moved, type Person, type RoomEvent, type Snapshot } from './model';

/** What the room screen does with what the hub sends (already in L4 order). */
export interface RoomListener {
  snapshot(snapshot: Snapshot): void;
  entered(person: Person): void;
  left(email: string): void;
  moved(batch: Moved[]): void;
  event(event: RoomEvent): void;
  zoom(email: string, inZoomMeeting: boolean): void;
  knocked(from: string, name: string): void;
  signal(from: string, data: unknown): void;
  /** 'reconnecting' while the client retries, 'live' when (re)connected, 'closed' when it gave up. */
  connectionState(state: 'connecting' | 'live' | 'reconnecting' | 'closed', error?: unknown): void;
}

// Retries after a lost connection: at once, then backing off; then the room says it is disconnected.
const retryDelays = [0, 1000, 2000, 5000, 10000, 15000, 30000, 30000];
const heartbeatMs = 20_000;

/** SignalR's own messages go to the console as warnings: a dropped connection is not a script error. */
const logger: ILogger = {
  log(level, message) {
    if (level >= LogLevel.Warning && level !== LogLevel.None) console.warn(`[live] ${message}`);
  },
};

/**
 * The room's realtime connection (L1, L4): connects to the hub with the access token from
 * `enter`, reconnects automatically (each reconnect enters again for a fresh token; the server
 * answers with a fresh snapshot), keeps the sequence of room-wide pushes, and sends Heartbeat
 * every 20 s.
 */
export class LiveConnection {
  private readonly hub: HubConnection;
  private readonly gate = new SeqGate();
  private heartbeat: number | undefined;
  private firstToken: string | null;
  private stopped = false;
  /** Why entering again was refused, when it was. */
  refused: unknown = null;

  constructor(
    entered: EnterResponse,
    private readonly reenter: () => Promise<EnterResponse>,
    private readonly listener: RoomListener,
  ) {
    this.firstToken = entered.negotiate.accessToken;
    this.hub = new HubConnectionBuilder()
      .withUrl(entered.negotiate.url, { accessTokenFactory: () => this.token() })
      .withAutomaticReconnect(retryDelays)
      .configureLogging(logger)
      .build();
    this.hub.serverTimeoutInMilliseconds = 60_000;
    this.hub.keepAliveIntervalInMilliseconds = 15_000;

    this.hub.on(clientMethods.snapshot, (s: Snapshot) => {
      this.listener.snapshot(s);
      this.gate.reset(s.seq);
    });
    this.hub.on(clientMethods.entered, (p: Person) => this.roomWide(p.seq, () => this.listener.entered(p)));
    this.hub.on(clientMethods.left, (p: { email: string; seq?: number }) => this.roomWide(p.seq, () => this.listener.left(p.email)));
    this.hub.on(clientMethods.event, (e: RoomEvent) => this.roomWide(e.seq, () => this.listener.event(e)));
    this.hub.on(clientMethods.zoom, (z: { email: string; inZoomMeeting: boolean; seq?: number }) =>
      this.roomWide(z.seq, () => this.listener.zoom(z.email, z.inZoomMeeting)));
    // Moves carry no seq: the newest position wins.
    this.hub.on(clientMethods.moved, (batch: Moved[]) => this.listener.moved(batch));
    this.hub.on(clientMethods.knocked, (k: { from: string; name: string }) => this.listener.knocked(k.from, k.name));
    this.hub.on(clientMethods.signal, (s: { from: string; data: unknown }) => this.listener.signal(s.from, s.data));

    this.hub.onreconnecting((error) => {
      this.gate.clear();
      this.listener.connectionState('reconnecting', error);
    });
    this.hub.onreconnected(() => {
      this.listener.connectionState('live');
      this.flushHeld();
    });
    this.hub.onclose((error) => {
      this.stopHeartbeat();
      if (!this.stopped) this.listener.connectionState('closed', error);
    });
  }

  /** The first connect uses the token `enter` gave; every reconnect enters again (a fresh token and snapshot). */
  private async token(): Promise<string> {
    if (this.firstToken) {
      const token = this.firstToken;
      this.firstToken = null;
      return token;
    }
    try {
      const again = await this.reenter();
      return again.negotiate.accessToken;
    } catch (error) {
      // Not allowed in any more (signed out, deleted, entry permission changed, room gone): stop retrying.
      const status = (error as { status?: number })?.status;
      if (status === 401 || status === 403 || status === 404) {
        this.refused = error;
        void this.hub.stop();
      }
      throw error;
    }
  }

  async start(): Promise<void> {
    this.listener.connectionState('connecting');
    await this.hub.start();
    this.listener.connectionState('live');
    this.flushHeld();
    this.heartbeat = window.setInterval(() => void this.send('Heartbeat', {}), heartbeatMs);
  }

  get connected(): boolean {
    return this.hub.state === HubConnectionState.Connected;
  }

  /** A room-wide push in sequence; a gap asks the server for a fresh snapshot. */
  private roomWide(seq: number | undefined, run: () => void): void {
    if (this.gate.offer(seq, run) === 'gap') void this.send('Resync', {});
  }

  /** A command whose refusal the person should see: rejects with the hub error. */
  invoke(method: string, argument: object): Promise<void> {
    return this.hub.invoke(method, argument);
  }

  /**
   * Where one stands and what one looks at, sent while the connection is not up yet: the snapshot of
   * a reconnect can arrive before the client counts itself connected (in the same read as the
   * handshake), and the position it then resends must not be lost. The newest per method is sent
   * once connected.
   */
  private readonly held = new Map<string, object>();

  private flushHeld(): void {
    const held = [...this.held];
    this.held.clear();
    for (const [method, argument] of held) void this.send(method, argument);
  }

  /** Fire and forget (moves, viewport, heartbeat, signalling): nothing waits for an answer. */
  async send(method: string, argument: object): Promise<void> {
    if (!this.connected) {
      if (!this.stopped && (method === 'Move' || method === 'Viewport')) this.held.set(method, argument);
      return;
    }
    try {
      await this.hub.send(method, argument);
    } catch {
      // The connection is going away; reconnecting sends a fresh state anyway.
    }
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) window.clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Leaves the room (Leave {}) and closes the connection. */
  async leave(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeat();
    if (this.connected) {
      try {
        await Promise.race([this.hub.invoke('Leave', {}), new Promise((resolve) => setTimeout(resolve, 2000))]);
      } catch {
        // Closing below removes the avatar too (OnDisconnected).
      }
    }
    await this.hub.stop();
  }

  /** Diagnostics: drops the transport as a lost network would, so the automatic reconnect runs (browser tests). */
  dropTransport(): void {
    const inner = (this.hub as unknown as { connection?: { stop(error?: Error): Promise<void> } }).connection;
    void inner?.stop(new Error('transport dropped (diagnostics)'));
  }

  /** Closes without Leave (page closed); the server's disconnect removes the avatar. */
  close(): void {
    this.stopped = true;
    this.stopHeartbeat();
    void this.hub.stop();
  }
}
