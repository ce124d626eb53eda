import { t } from '../i18n';
import { h } from '../ui/dom';
import { sfuGroup } from './media/plan';
import { SfuRoom, type MediaAnswer } from './media/sfu';
import { canHear, voiceGain, type Hearer, type MeetingRoom } from './model';

export type { MediaAnswer } from './media/sfu';

/** What voice needs of the room: where everyone is, and the signalling channel. */
export interface VoiceRoom {
  self(): (Hearer & { email: string }) | null;
  others(): Iterable<Hearer & { email: string; name: string }>;
  meetingRooms(): readonly MeetingRoom[];
  /** Sends `Signal { to, data }`; rejects with the hub error when refused. */
  signal(to: string, data: unknown): Promise<void>;
  /** The peers changed (for the UI: who one is connected to, remote videos). */
  changed(): void;
  /** A fresh media answer (POST /rooms/{id}/media): renewed credentials, the SFU pass of one's group now. */
  refreshMedia?(): Promise<MediaAnswer>;
}

/** Where a remote voice plays: an element (kept, muted, so Chrome feeds Web Audio) and its gain. */
interface AudioOut {
  audio: HTMLAudioElement;
  gain: GainNode | null;
  source: MediaStreamAudioSourceNode | null;
}

/** Someone heard through the SFU. */
interface SfuRemote extends AudioOut {
  email: string;
  video: MediaStream | null;
  videoLive: boolean;
}

/** How voice reaches the others: peer to peer, through the SFU, joining it, or the SFU is unreachable (peer to peer meanwhile). */
export type MediaState = 'mesh' | 'connecting' | 'sfu' | 'unreachable';

type SignalData =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: RTCIceCandidateInit }
  | { type: 'candidates'; candidates: RTCIceCandidateInit[] }
  | { type: 'bye' };

interface Peer extends AudioOut {
  email: string;
  pc: RTCPeerConnection;
  polite: boolean;
  makingOffer: boolean;
  ignoreOffer: boolean;
  video: MediaStream | null;
  videoLive: boolean;
  /** ICE candidates gathered in the last moment, sent as one signal (the hub rate-limits signalling). */
  candidates: RTCIceCandidateInit[];
  flush: number | undefined;
}

/**
 * L3: voice, camera and screen share over WebRTC, one connection per person one can hear (the
 * hearing rule, the same the server checks on Signal), signalled through the room's hub. The
 * smaller e-mail of a pair calls; audio and video transceivers are set up once, so turning the
 * camera or a screen share on or off only swaps the sent track. The volume follows distance where
 * the meeting room's mode is "by distance". Without a microphone (no device, no permission) the
 * room still works: one hears the others and the mic shows as unavailable.
 *
 * Above the SFU threshold, and always in a "whole room" meeting room, the same people are heard
 * through Janus instead (media/sfu.ts): the app hands out a pass for exactly one's group's Janus
 * room; peer connections to the group's members end once their SFU audio plays, and leaving the
 * group ends the SFU room only after peer to peer has taken over, so audio keeps flowing. When the
 * media server cannot be reached the room stays peer to peer and says so, with a retry.
 */
export class Voice {
  private readonly peers = new Map<string, Peer>();
  private local: MediaStream | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;
  private context: AudioContext | null = null;
  private master: GainNode | null = null;
  private timer: number | undefined;
  micAvailable = false;
  micMuted = false;
  speakerMuted = false;
  private disposed = false;
  private media: MediaAnswer;
  private mediaAt = Date.now();
  private sfu: SfuRoom | null = null;
  private sfuJoinedAt = 0;
  private sfuFailed = false;
  private readonly sfuRemotes = new Map<string, SfuRemote>();
  private readonly leaving = new Set<SfuRoom>();
  private refreshing = false;
  private lastRefresh = 0;
  private retryAt = 0;
  /** The media server's state for the room screen: shown only when it is unreachable, with a retry. */
  readonly statusElement: HTMLElement = h('div', { class: 'media-status', role: 'status', hidden: true });

  constructor(private readonly room: VoiceRoom, media?: MediaAnswer | null) {
    this.media = media ?? { iceServers: [], sfuThreshold: 4, sfuState: 'off', sfuConfigured: false, iceTransportPolicy: 'all' };
  }

  private get iceServers(): RTCIceServer[] {
    return this.media.iceServers ?? [];
  }

  private get policy(): RTCIceTransportPolicy {
    return this.media.iceTransportPolicy === 'relay' ? 'relay' : 'all';
  }

  get mediaState(): MediaState {
    if (this.sfuFailed || this.media.sfuState === 'unreachable') return 'unreachable';
    if (!this.sfu) return 'mesh';
    return this.sfuJoinedAt > 0 ? 'sfu' : 'connecting';
  }

  /** Whom one hears through the SFU now (their audio has arrived). */
  get sfuConnectedTo(): string[] {
    return this.sfu?.remotes ?? [];
  }

  /** Asks for the microphone; a refusal leaves the mic unavailable and everything else working. */
  async start(): Promise<void> {
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('no media devices');
      this.local = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: false });
      this.micAvailable = this.local.getAudioTracks().length > 0;
      this.attachMicrophone();
    } catch {
      this.local = null;
      this.micAvailable = false;
    }
    if (this.disposed) { this.stopLocal(); return; }
    try {
      this.context = new AudioContext();
      this.master = this.context.createGain();
      this.master.connect(this.context.destination);
    } catch {
      this.context = null;
    }
    this.timer = window.setInterval(() => this.update(), 500);
    this.update();
  }

  get connectedTo(): string[] {
    return [...this.peers.values()].filter((p) => p.pc.connectionState === 'connected').map((p) => p.email);
  }

  get peerEmails(): string[] {
    return [...this.peers.keys()];
  }

  /** Remote cameras and screens to show. */
  get videos(): { email: string; stream: MediaStream }[] {
    const sources: { email: string; video: MediaStream | null; videoLive: boolean }[] = [...this.peers.values(), ...this.sfuRemotes.values()];
    return sources.filter((p) => p.video && p.videoLive).map((p) => ({ email: p.email, stream: p.video! }));
  }

  /** One's own camera or screen, for the preview. */
  get localVideo(): MediaStreamTrack | null {
    return this.screen ?? this.camera;
  }

  get sharing(): boolean {
    return this.screen !== null;
  }

  get cameraOn(): boolean {
    return this.camera !== null;
  }

  /** Connects to whom one can now hear, drops whom one cannot, and sets each volume. */
  update(): void {
    const me = this.room.self();
    if (!me || this.disposed) return;
    const rooms = this.room.meetingRooms();
    const others = [...this.room.others()];
    const group = this.media.sfuConfigured ? sfuGroup(me, others, rooms, this.media.sfuThreshold) : null;
    this.planSfu(group?.key ?? null);
    // The members of one's group while its SFU room is joined or being joined: no new peer connections
    // to them (a meeting room of ten would open nine each, what the SFU is there to avoid).
    const viaSfu = group !== null && this.sfu?.group === group.key ? group.members : new Set<string>();
    const joined = this.mediaState === 'sfu';
    const seen = new Set<string>();
    for (const other of others) {
      seen.add(other.email);
      const peer = this.peers.get(other.email);
      const sfuHeard = viaSfu.has(other.email);
      // Connect within reach; drop a little beyond it, so a border walk does not flap. Someone heard
      // through the SFU needs no peer connection once their SFU audio plays (or the SFU has had a moment).
      if (!peer && !sfuHeard && canHear(me, other, rooms) && me.email < other.email) this.call(other.email);
      else if (peer && !canHear(me, other, rooms, 1.15)) this.hangUp(other.email, true);
      else if (peer && sfuHeard && joined && (this.sfuRemotes.has(other.email) || Date.now() - this.sfuJoinedAt > 3000)) this.hangUp(other.email, false);
      const gain = voiceGain(me, other, rooms);
      const p = this.peers.get(other.email);
      if (p) this.setVolume(p, gain);
      const r = this.sfuRemotes.get(other.email);
      if (r) this.setVolume(r, gain);
    }
    for (const email of [...this.peers.keys()]) if (!seen.has(email)) this.hangUp(email, false);
    this.drawStatus();
  }

  /**
   * Joins, renews and leaves the SFU room by one's group as this browser sees it (`wanted`) and the
   * app's last answer (its pass), and asks for a fresh answer when the two differ or the credentials
   * are getting old. One's own position is known here first: out of a meeting room one leaves its SFU
   * room at once (the app kicks a moment later anyway), and a pass for a group one is not in (an
   * answer from before one's last step) is not joined. An open-floor group ends when the app says so
   * (it sees everyone's latest position).
   */
  private planSfu(wanted: string | null): void {
    const pass = this.sfuFailed ? null : this.media.sfu ?? null;
    const current = this.sfu;
    if (current) {
      const meeting = current.group.startsWith('meeting:');
      // Peer to peer takes over on the next update; an open-floor SFU room ends a moment later.
      if (meeting ? current.group !== wanted : pass?.group !== current.group) this.leaveSfu(meeting ? 0 : pass ? 800 : 1500);
      else if (pass && pass !== current.pass && pass.group === current.group && pass.room === current.pass.room) current.renew(pass);
    }
    if (pass && !this.sfu && wanted === pass.group) void this.joinSfu();
    if (!this.room.refreshMedia || this.refreshing) return;
    const now = Date.now();
    const expiries = [this.media.iceExpires, this.media.sfu?.expires].filter((e): e is string => !!e).map((e) => Date.parse(e));
    const soonest = expiries.length > 0 ? Math.min(...expiries) : Number.POSITIVE_INFINITY;
    // Renew at four fifths of the lifetime.
    const stale = now > soonest - (soonest - this.mediaAt) / 5;
    const have = pass?.group ?? null;
    const differs = wanted !== have && !(this.mediaState === 'unreachable' && now < this.retryAt);
    if (!stale && !(differs && now - this.lastRefresh > 1000)) return;
    void this.refresh();
  }

  /** Fetches a fresh media answer now (also the "retry" of the unreachable state). */
  async refresh(): Promise<void> {
    if (!this.room.refreshMedia || this.refreshing || this.disposed) return;
    this.refreshing = true;
    this.lastRefresh = Date.now();
    try {
      this.apply(await this.room.refreshMedia());
    } catch {
      // The app is unreachable too: the connection's own state says so; try again later.
    } finally {
      this.refreshing = false;
    }
  }

  private apply(media: MediaAnswer): void {
    if (this.disposed) return;
    const wasUnreachable = this.mediaState === 'unreachable';
    this.media = media;
    this.mediaAt = Date.now();
    // A fresh pass is worth a try even after a failure (the retry); joining and leaving follow in update().
    if (media.sfu) this.sfuFailed = false;
    if (media.sfuState === 'unreachable') this.retryAt = Date.now() + 10000;
    if (wasUnreachable !== (this.mediaState === 'unreachable')) this.room.changed();
    this.update();
  }

  private async joinSfu(): Promise<void> {
    const pass = this.media.sfu;
    const me = this.room.self();
    if (!pass || !me) return;
    this.sfuFailed = false;
    this.sfuJoinedAt = 0;
    const sfu = new SfuRoom(pass, this.iceServers, {
      track: (email, track, stream) => this.sfuTrack(sfu, email, track, stream),
      gone: (email) => this.sfuGone(sfu, email),
      lost: () => this.sfuLost(sfu),
      removed: () => this.sfuRemoved(sfu),
      changed: () => { if (this.sfu === sfu) this.room.changed(); },
    }, this.policy);
    this.sfu = sfu;
    this.room.changed();
    try {
      await sfu.join(me.email, this.local?.getAudioTracks()[0] ?? null, this.localVideo);
      if (this.sfu !== sfu) return;
      this.sfuJoinedAt = Date.now();
    } catch {
      if (this.sfu === sfu) this.sfuLost(sfu);
    }
    this.room.changed();
  }

  private leaveSfu(afterMs: number): void {
    const old = this.sfu;
    if (!old) return;
    this.sfu = null;
    this.sfuJoinedAt = 0;
    this.leaving.add(old);
    const gone = [...this.sfuRemotes.keys()];
    window.setTimeout(() => {
      this.leaving.delete(old);
      old.leave();
      for (const email of gone) if (!this.sfu) this.dropSfuRemote(email);
      this.room.changed();
    }, afterMs);
  }

  private sfuTrack(sfu: SfuRoom, email: string, track: MediaStreamTrack, stream: MediaStream): void {
    if (this.sfu !== sfu && !this.leaving.has(sfu)) return;
    let remote = this.sfuRemotes.get(email);
    if (!remote) {
      const audio = new Audio();
      audio.autoplay = true;
      remote = { email, audio, gain: null, source: null, video: null, videoLive: false };
      this.sfuRemotes.set(email, remote);
    }
    if (track.kind === 'audio') {
      this.playAudio(remote, new MediaStream([track]));
      if (!this.context) remote.audio.muted = this.speakerMuted;
    } else {
      const r = remote;
      r.video = new MediaStream([track]);
      r.videoLive = !track.muted;
      track.onmute = () => { r.videoLive = false; this.room.changed(); };
      track.onunmute = () => { r.videoLive = true; this.room.changed(); };
    }
    void stream;
    this.update();
    this.room.changed();
  }

  private sfuGone(sfu: SfuRoom, email: string): void {
    if (this.sfu !== sfu) return;
    this.dropSfuRemote(email);
    this.room.changed();
  }

  private dropSfuRemote(email: string): void {
    const remote = this.sfuRemotes.get(email);
    if (!remote) return;
    this.sfuRemotes.delete(email);
    remote.source?.disconnect();
    remote.gain?.disconnect();
    remote.audio.srcObject = null;
  }

  /** The SFU connection failed or ended under us (unreachable): peer to peer meanwhile, and a retry in 10 s. */
  private sfuLost(sfu: SfuRoom): void {
    if (!this.dropSfu(sfu)) return;
    this.sfuFailed = true;
    this.retryAt = Date.now() + 10000;
    this.room.changed();
    this.update();
  }

  /**
   * Janus took one out of the room: the app kicked one (it saw one out of the group, perhaps before
   * one's last step reached it) or closed the room. Nothing is broken: peer to peer meanwhile, and
   * the app's fresh answer says where one belongs (the same room again after all, another, or none).
   */
  private sfuRemoved(sfu: SfuRoom): void {
    if (!this.dropSfu(sfu)) return;
    this.media = { ...this.media, sfu: null };
    this.room.changed();
    this.update();
  }

  private dropSfu(sfu: SfuRoom): boolean {
    if (this.sfu !== sfu) return false;
    sfu.leave();
    this.sfu = null;
    this.sfuJoinedAt = 0;
    for (const email of [...this.sfuRemotes.keys()]) this.dropSfuRemote(email);
    return true;
  }

  private drawStatus(): void {
    const unreachable = this.mediaState === 'unreachable';
    const el = this.statusElement;
    el.dataset.state = this.mediaState;
    if (el.hidden === !unreachable) return;
    el.hidden = !unreachable;
    el.replaceChildren(...(unreachable ? [
      h('span', {}, t('live.mediaUnreachable')),
      h('button', { type: 'button', class: 'media-retry', onclick: () => { this.sfuFailed = false; this.retryAt = 0; void this.refresh(); } }, t('live.mediaRetry')),
    ] : []));
  }

  private setVolume(peer: AudioOut, gain: number): void {
    if (peer.gain && this.context) peer.gain.gain.setTargetAtTime(gain, this.context.currentTime, 0.1);
    else peer.audio.volume = Math.max(0, Math.min(1, gain));
  }

  private peer(email: string): Peer {
    const existing = this.peers.get(email);
    if (existing) return existing;
    const me = this.room.self();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, iceTransportPolicy: this.policy });
    const audio = new Audio();
    audio.autoplay = true;
    const peer: Peer = {
      email, pc, polite: (me?.email ?? '') > email, makingOffer: false, ignoreOffer: false,
      audio, gain: null, source: null, video: null, videoLive: false, candidates: [], flush: undefined,
    };
    this.peers.set(email, peer);
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) peer.candidates.push(candidate.toJSON());
      if (peer.flush === undefined && peer.candidates.length > 0)
        peer.flush = window.setTimeout(() => this.flushCandidates(peer), candidate ? 80 : 0);
    };
    pc.onnegotiationneeded = async () => {
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        if (pc.localDescription) this.send(peer, { type: pc.localDescription.type as 'offer', sdp: pc.localDescription.sdp });
      } catch {
        // A closed connection or a glare the polite side resolves.
      } finally {
        peer.makingOffer = false;
      }
    };
    pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] ?? new MediaStream([track]);
      if (track.kind === 'audio') this.playAudio(peer, stream);
      else {
        peer.video = stream;
        peer.videoLive = !track.muted;
        track.onmute = () => { peer.videoLive = false; this.room.changed(); };
        track.onunmute = () => { peer.videoLive = true; this.room.changed(); };
      }
      this.room.changed();
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.hangUp(email, false);
      this.room.changed();
    };
    return peer;
  }

  private playAudio(peer: AudioOut, stream: MediaStream): void {
    peer.audio.srcObject = stream;
    if (this.context && this.master) {
      // Chrome feeds a remote stream to Web Audio only while a media element plays it: keep one, muted.
      peer.audio.muted = true;
      peer.source?.disconnect();
      peer.source = this.context.createMediaStreamSource(stream);
      peer.gain ??= this.context.createGain();
      peer.source.connect(peer.gain).connect(this.master);
      if (this.context.state === 'suspended') void this.context.resume().catch(() => {});
    }
    void peer.audio.play().catch(() => {});
  }

  /**
   * Someone may call (or answer) while the browser is still asking for the microphone: those connections were
   * made with no track to send, so the other side would hear nothing. They get the microphone as soon as it is there.
   */
  private attachMicrophone(): void {
    const track = this.local?.getAudioTracks()[0] ?? null;
    if (!track) return;
    for (const peer of this.peers.values())
      for (const t of peer.pc.getTransceivers())
        if (t.receiver.track.kind === 'audio' && t.currentDirection !== 'stopped' && !t.sender.track) void t.sender.replaceTrack(track).catch(() => {});
    this.sfu?.setTracks(track, this.localVideo);
  }

  /** The caller's side: both transceivers, one's tracks on them; negotiation follows. */
  private call(email: string): void {
    const peer = this.peer(email);
    const audio = peer.pc.addTransceiver('audio', { direction: 'sendrecv' });
    const video = peer.pc.addTransceiver('video', { direction: 'sendrecv' });
    void audio.sender.replaceTrack(this.local?.getAudioTracks()[0] ?? null);
    void video.sender.replaceTrack(this.localVideo);
    this.room.changed();
  }

  private flushCandidates(peer: Peer): void {
    peer.flush = undefined;
    const candidates = peer.candidates.splice(0);
    if (candidates.length > 0 && this.peers.get(peer.email) === peer) this.send(peer, { type: 'candidates', candidates });
  }

  private send(peer: Peer, data: SignalData): void {
    this.room.signal(peer.email, data).catch((error: unknown) => {
      // Refused (not audible any more, or gone): the connection has no future.
      if (data.type !== 'bye' && /not-audible|not-found|not-in-room/.test(String((error as Error)?.message ?? error))) this.hangUp(peer.email, false);
    });
  }

  /** A signal from another person: offer, answer, ICE candidate, or bye. */
  async receive(from: string, raw: unknown): Promise<void> {
    const data = raw as SignalData;
    if (this.disposed || !data || typeof data !== 'object') return;
    if (data.type === 'bye') { this.hangUp(from, false); return; }
    // Heard through the SFU already: a second path would play the voice twice.
    if (data.type === 'offer' && this.sfuRemotes.has(from) && !this.peers.has(from)) return;
    const peer = this.peer(from);
    const pc = peer.pc;
    try {
      if (data.type === 'offer' || data.type === 'answer') {
        const collision = data.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
        peer.ignoreOffer = !peer.polite && collision;
        if (peer.ignoreOffer) return;
        await pc.setRemoteDescription({ type: data.type, sdp: data.sdp });
        if (data.type === 'offer') {
          for (const t of pc.getTransceivers()) {
            const kind = t.receiver.track.kind;
            t.direction = 'sendrecv';
            await t.sender.replaceTrack(kind === 'audio' ? this.local?.getAudioTracks()[0] ?? null : this.localVideo);
          }
          await pc.setLocalDescription();
          if (pc.localDescription) this.send(peer, { type: 'answer', sdp: pc.localDescription.sdp });
        }
      } else if (data.type === 'candidate' || data.type === 'candidates') {
        for (const candidate of data.type === 'candidate' ? [data.candidate] : data.candidates ?? []) {
          try {
            await pc.addIceCandidate(candidate);
          } catch (error) {
            if (!peer.ignoreOffer) throw error;
          }
        }
      }
    } catch {
      // A malformed or stale signal: the next offer starts over.
    }
    this.room.changed();
  }

  private hangUp(email: string, tell: boolean): void {
    const peer = this.peers.get(email);
    if (!peer) return;
    this.peers.delete(email);
    if (peer.flush !== undefined) window.clearTimeout(peer.flush);
    if (tell) this.send(peer, { type: 'bye' });
    peer.source?.disconnect();
    peer.gain?.disconnect();
    peer.audio.srcObject = null;
    peer.pc.close();
    this.room.changed();
  }

  setMicMuted(muted: boolean): void {
    this.micMuted = muted;
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = !muted;
  }

  setSpeakerMuted(muted: boolean): void {
    this.speakerMuted = muted;
    if (this.master && this.context) this.master.gain.setTargetAtTime(muted ? 0 : 1, this.context.currentTime, 0.05);
    for (const peer of [...this.peers.values(), ...this.sfuRemotes.values()]) if (!peer.gain) peer.audio.muted = muted;
  }

  private sendVideo(): void {
    const track = this.localVideo;
    for (const peer of this.peers.values())
      for (const t of peer.pc.getTransceivers())
        if (t.receiver.track.kind === 'video' && t.currentDirection !== 'stopped') void t.sender.replaceTrack(track).catch(() => {});
    this.sfu?.setTracks(this.local?.getAudioTracks()[0] ?? null, track);
    this.room.changed();
  }

  /** Turns the camera on (true) or off; rejects when there is no camera or no permission. */
  async setCamera(on: boolean): Promise<void> {
    if (on && !this.camera) {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
      this.camera = stream.getVideoTracks()[0] ?? null;
    } else if (!on && this.camera) {
      this.camera.stop();
      this.camera = null;
    }
    this.sendVideo();
  }

  /** Starts (true) or stops sharing the screen; the browser's own "stop sharing" stops it too. */
  async setSharing(on: boolean, stopped: () => void): Promise<void> {
    if (on && !this.screen) {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      this.screen = stream.getVideoTracks()[0] ?? null;
      if (this.screen) this.screen.onended = () => { this.screen = null; this.sendVideo(); stopped(); };
    } else if (!on && this.screen) {
      this.screen.stop();
      this.screen = null;
    }
    this.sendVideo();
  }

  private stopLocal(): void {
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.camera?.stop();
    this.screen?.stop();
    this.local = null;
    this.camera = null;
    this.screen = null;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) window.clearInterval(this.timer);
    for (const email of [...this.peers.keys()]) this.hangUp(email, true);
    this.sfu?.leave();
    this.sfu = null;
    for (const old of this.leaving) old.leave();
    for (const email of [...this.sfuRemotes.keys()]) this.dropSfuRemote(email);
    this.stopLocal();
    void this.context?.close().catch(() => {});
    this.context = null;
  }
}
