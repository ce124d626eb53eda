import { JanusSession, type JanusEvent } from './janus';

/** The SFU part of the app's media answer: the one Janus room this member may be in now. */
export interface SfuPass {
  group: string;
  url: string;
  room: number;
  feed: number;
  pin: string;
  sessionToken: string;
  roomToken: string;
  expires: string;
}

/** What the browser is told about media (the `media` of POST /enter and POST /rooms/{id}/media). */
export interface MediaAnswer {
  iceServers: RTCIceServer[];
  iceExpires?: string | null;
  /** "relay": media only through TURN (an operator's choice, Zawaroom:Media:IceTransportPolicy). */
  iceTransportPolicy: 'all' | 'relay';
  /** Whether the site has an SFU at all; without one the room is peer to peer only. */
  sfuConfigured: boolean;
  sfuThreshold: number;
  sfuState: 'off' | 'ready' | 'unreachable';
  sfu?: SfuPass | null;
}

export interface SfuListener {
  /** A remote's audio (and video) arrived; `email` is the publisher's display. */
  track(email: string, track: MediaStreamTrack, stream: MediaStream): void;
  /** The remote stopped publishing or left. */
  gone(email: string): void;
  /** The Janus connection is gone (unreachable, failed, session over). */
  lost(): void;
  /** Janus took one out of the room (the app kicked one, or destroyed the room): ask the app where one belongs now. */
  removed(): void;
  /** A subscription's connection state changed (for the UI's list of whom one hears). */
  changed(): void;
}

interface Subscription { feed: number; email: string; handle: number; pc: RTCPeerConnection }

/**
 * One Janus VideoRoom room, joined with the app's pass: publishes one's microphone (and camera or
 * screen, by replacing the sent track) on one connection, subscribes to every other publisher on
 * one connection each. The room's members are exactly the people of one's SFU group (the server
 * kicks anyone else), so every remote here is someone one hears.
 */
export class SfuRoom {
  private session: JanusSession | null = null;
  private publisher = 0;
  private pc: RTCPeerConnection | null = null;
  private audioSender: RTCRtpSender | null = null;
  private videoSender: RTCRtpSender | null = null;
  private readonly subscriptions = new Map<number, Subscription>();
  /** The room's publishers as Janus announced them (a failed subscription is tried again while one is listed). */
  private readonly publishers = new Map<number, string>();
  private closed = false;

  constructor(public pass: SfuPass, private readonly iceServers: RTCIceServer[], private readonly listener: SfuListener,
    private readonly policy: RTCIceTransportPolicy = 'all') {}

  get group(): string { return this.pass.group; }

  get remotes(): string[] {
    return [...this.subscriptions.values()].filter((s) => s.pc.connectionState === 'connected').map((s) => s.email);
  }

  async join(self: string, audio: MediaStreamTrack | null, video: MediaStreamTrack | null): Promise<void> {
    const session = new JanusSession(this.pass.url, this.pass.sessionToken);
    this.session = session;
    session.onclose = () => { if (!this.closed) this.listener.lost(); };
    await session.connect();
    this.publisher = await session.attach((e) => this.publisherEvent(e));
    await session.message(this.publisher, {
      request: 'join', ptype: 'publisher', room: this.pass.room, pin: this.pass.pin, token: this.pass.roomToken, id: this.pass.feed, display: self,
    });
    await this.publish(audio, video);
  }

  /** A renewed pass of the same room: the session's requests carry the new token from now on. */
  renew(pass: SfuPass): void {
    this.pass = pass;
    if (this.session) this.session.token = pass.sessionToken;
  }

  setTracks(audio: MediaStreamTrack | null, video: MediaStreamTrack | null): void {
    void this.audioSender?.replaceTrack(audio).catch(() => {});
    void this.videoSender?.replaceTrack(video).catch(() => {});
  }

  private async publish(audio: MediaStreamTrack | null, video: MediaStreamTrack | null): Promise<void> {
    const session = this.session;
    if (!session) return;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, iceTransportPolicy: this.policy });
    this.pc = pc;
    this.audioSender = pc.addTransceiver('audio', { direction: 'sendonly' }).sender;
    this.videoSender = pc.addTransceiver('video', { direction: 'sendonly' }).sender;
    await this.audioSender.replaceTrack(audio);
    await this.videoSender.replaceTrack(video);
    pc.onicecandidate = ({ candidate }) => session.trickle(this.publisher, candidate ? candidate.toJSON() : null);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const answer = await session.message(this.publisher, { request: 'configure', audio: true, video: true }, { type: 'offer', sdp: offer.sdp });
    if (answer.jsep) await pc.setRemoteDescription(answer.jsep);
  }

  private publisherEvent(e: JanusEvent): void {
    const data = e.plugindata?.data ?? {};
    const publishers = (data.publishers as { id: number; display?: string }[] | undefined) ?? [];
    for (const p of publishers) {
      if (p.id === this.pass.feed) continue;
      this.publishers.set(p.id, p.display ?? String(p.id));
      this.trySubscribe(p.id);
    }
    for (const key of ['unpublished', 'leaving', 'kicked'] as const) {
      const gone = data[key];
      if (gone === 'ok') { if (!this.closed) this.listener.removed(); }
      else if (typeof gone === 'number') { this.publishers.delete(gone); this.unsubscribe(gone); }
    }
    if (e.janus === 'hangup' || e.janus === 'detached' || data.videoroom === 'destroyed') if (!this.closed) this.listener.removed();
  }

  private trySubscribe(feed: number): void {
    const email = this.publishers.get(feed);
    if (email === undefined || this.closed) return;
    this.subscribe(feed, email).catch(() => {
      this.unsubscribe(feed);
      window.setTimeout(() => this.trySubscribe(feed), 1500);
    });
  }

  private async subscribe(feed: number, email: string): Promise<void> {
    const session = this.session;
    if (!session || this.subscriptions.has(feed) || this.closed) return;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, iceTransportPolicy: this.policy });
    const sub: Subscription = { feed, email, handle: 0, pc };
    this.subscriptions.set(feed, sub);
    pc.ontrack = ({ track, streams }) => this.listener.track(email, track, streams[0] ?? new MediaStream([track]));
    pc.onconnectionstatechange = () => {
      if (this.subscriptions.get(feed) === sub) this.listener.changed();
      if (pc.connectionState !== 'failed' || this.subscriptions.get(feed) !== sub) return;
      this.unsubscribe(feed);
      this.trySubscribe(feed);
    };
    sub.handle = await session.attach((e) => {
      if (e.janus === 'hangup' || e.janus === 'detached') this.unsubscribe(feed);
    });
    pc.onicecandidate = ({ candidate }) => session.trickle(sub.handle, candidate ? candidate.toJSON() : null);
    const offered = await session.message(sub.handle, {
      request: 'join', ptype: 'subscriber', room: this.pass.room, pin: this.pass.pin, token: this.pass.roomToken, streams: [{ feed }],
    });
    if (!offered.jsep || this.subscriptions.get(feed) !== sub) return;
    await pc.setRemoteDescription(offered.jsep);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await session.message(sub.handle, { request: 'start' }, { type: 'answer', sdp: answer.sdp });
  }

  private unsubscribe(feed: number): void {
    const sub = this.subscriptions.get(feed);
    if (!sub) return;
    this.subscriptions.delete(feed);
    sub.pc.close();
    if (sub.handle) this.session?.detach(sub.handle);
    this.listener.gone(sub.email);
  }

  leave(): void {
    if (this.closed) return;
    this.closed = true;
    for (const feed of [...this.subscriptions.keys()]) this.unsubscribe(feed);
    this.pc?.close();
    this.pc = null;
    this.session?.close();
    this.session = null;
  }
}
