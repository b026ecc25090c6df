// The server side of a SPDY/3.1 session, as much as kubectl's port-forward uses (moby
// spdystream as client): SYN_STREAM answered by SYN_REPLY, data frames with FIN, RST_STREAM,
// PING echoed, SETTINGS/WINDOW_UPDATE/GOAWAY taken. Header blocks are zlib streams primed
// with the SPDY/3 dictionary, one per direction for the whole session: the client's are
// inflated by replaying its stream so far; ours are written as stored (uncompressed)
// deflate blocks, each followed by the empty block of a sync flush, which any zlib reads.

import * as zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary';

const TYPE = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;
const FLAG_FIN = 0x01;
const MAX_DATA = 32 * 1024;
/** What the client's header blocks may add up to in one session. */
const MAX_HEADER_BYTES = 1024 * 1024;

export interface SpdyStream {
  id: number;
  headers: Record<string, string>;
  /** Client data and its FIN. */
  onData?: (data: Buffer) => void;
  onEnd?: () => void;
  write(data: Buffer | string): void;
  /** Our FIN. */
  end(): void;
  closed: boolean;
}

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const x of buf) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export class SpdySession {
  private buf: Buffer = Buffer.alloc(0);
  private inflateIn: Buffer = Buffer.alloc(0);
  private inflatedLen = 0;
  private deflateStarted = false;
  private readonly streams = new Map<number, SpdyStream & { remoteDone: boolean; localDone: boolean }>();
  closed = false;

  constructor(
    private readonly send: (frame: Buffer) => void,
    private readonly onStream: (s: SpdyStream) => void,
    private readonly onClose: (why: string) => void,
  ) {}

  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      while (this.buf.length >= 8) {
        const len = this.buf.readUIntBE(5, 3);
        if (this.buf.length < 8 + len) break;
        const frame = this.buf.subarray(0, 8 + len);
        this.buf = this.buf.subarray(8 + len);
        if (frame[0] & 0x80) this.control(frame.readUInt16BE(0) & 0x7fff, frame.readUInt16BE(2), frame[4], frame.subarray(8));
        else this.data(frame.readUInt32BE(0) & 0x7fffffff, frame[4], frame.subarray(8));
      }
    } catch (e) {
      this.close(`protocol error: ${(e as Error).message}`);
    }
  }

  close(why = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.closed = true;
    this.onClose(why);
  }

  private control(version: number, type: number, flags: number, payload: Buffer): void {
    if (version !== 3) throw new Error(`unsupported SPDY version ${version}`);
    switch (type) {
      case TYPE.synStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        const headers = this.readHeaders(payload.subarray(10));
        const s = this.newStream(id, headers);
        this.controlFrame(TYPE.synReply, 0, Buffer.concat([u32(id), this.writeHeaders({})]));
        if (flags & FLAG_FIN) s.remoteDone = true;
        this.onStream(s);
        if (flags & FLAG_FIN) s.onEnd?.();
        return;
      }
      case TYPE.rstStream: {
        const s = this.streams.get(payload.readUInt32BE(0) & 0x7fffffff);
        if (s) {
          s.closed = true;
          this.streams.delete(s.id);
          if (!s.remoteDone) {
            s.remoteDone = true;
            s.onEnd?.();
          }
        }
        return;
      }
      case TYPE.ping:
        this.controlFrame(TYPE.ping, 0, payload);
        return;
      case TYPE.goaway:
        this.close('goaway');
        return;
      case TYPE.headers:
        this.readHeaders(payload.subarray(4)); // keeps the inflater in step
        return;
      default:
      // SETTINGS, WINDOW_UPDATE: spdystream does no flow control worth following
    }
  }

  private data(id: number, flags: number, payload: Buffer): void {
    const s = this.streams.get(id);
    if (!s || s.remoteDone) return;
    if (payload.length) s.onData?.(payload);
    if (flags & FLAG_FIN) {
      s.remoteDone = true;
      s.onEnd?.();
      this.forget(s);
    }
  }

  private newStream(id: number, headers: Record<string, string>) {
    const session = this;
    const s = {
      id,
      headers,
      closed: false,
      remoteDone: false,
      localDone: false,
      write(data: Buffer | string) {
        if (s.localDone || s.closed || session.closed) return;
        const b = typeof data === 'string' ? Buffer.from(data) : data;
        for (let i = 0; i < b.length; i += MAX_DATA) session.dataFrame(id, 0, b.subarray(i, i + MAX_DATA));
      },
      end() {
        if (s.localDone || s.closed || session.closed) return;
        s.localDone = true;
        session.dataFrame(id, FLAG_FIN, Buffer.alloc(0));
        session.forget(s);
      },
    } as SpdyStream & { remoteDone: boolean; localDone: boolean };
    this.streams.set(id, s);
    return s;
  }

  private forget(s: { id: number; remoteDone: boolean; localDone: boolean }): void {
    if (s.remoteDone && s.localDone) this.streams.delete(s.id);
  }

  private controlFrame(type: number, flags: number, payload: Buffer): void {
    if (this.closed) return;
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8000 | 3, 0);
    h.writeUInt16BE(type, 2);
    h[4] = flags;
    h.writeUIntBE(payload.length, 5, 3);
    this.send(Buffer.concat([h, payload]));
  }

  private dataFrame(id: number, flags: number, payload: Buffer): void {
    if (this.closed) return;
    const h = Buffer.alloc(8);
    h.writeUInt32BE(id & 0x7fffffff, 0);
    h[4] = flags;
    h.writeUIntBE(payload.length, 5, 3);
    this.send(Buffer.concat([h, payload]));
  }

  private readHeaders(block: Buffer): Record<string, string> {
    this.inflateIn = Buffer.concat([this.inflateIn, block]);
    if (this.inflateIn.length > MAX_HEADER_BYTES) throw new Error('too many header bytes');
    const all = zlib.inflateSync(this.inflateIn, { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const out = all.subarray(this.inflatedLen);
    this.inflatedLen = all.length;
    const headers: Record<string, string> = {};
    let at = 0;
    const n = out.readUInt32BE(at);
    at += 4;
    for (let i = 0; i < n; i++) {
      const nl = out.readUInt32BE(at);
      const name = out.subarray(at + 4, at + 4 + nl).toString('latin1').toLowerCase();
      at += 4 + nl;
      const vl = out.readUInt32BE(at);
      headers[name] = out.subarray(at + 4, at + 4 + vl).toString('latin1');
      at += 4 + vl;
    }
    return headers;
  }

  private writeHeaders(headers: Record<string, string>): Buffer {
    const parts: Buffer[] = [u32(Object.keys(headers).length)];
    for (const [k, v] of Object.entries(headers)) parts.push(u32(k.length), Buffer.from(k, 'latin1'), u32(v.length), Buffer.from(v, 'latin1'));
    const raw = Buffer.concat(parts);
    const out: Buffer[] = [];
    if (!this.deflateStarted) {
      this.deflateStarted = true;
      // CMF 0x78 (deflate, 32K window); FLG with FDICT, FCHECK making the pair a multiple of 31
      const flg = 0x20 | (31 - ((0x78 * 256 + 0x20) % 31)) % 31;
      out.push(Buffer.from([0x78, flg]), u32(adler32(SPDY3_DICTIONARY)));
    }
    for (let i = 0; i < raw.length; i += 0xffff) {
      const piece = raw.subarray(i, i + 0xffff);
      const h = Buffer.alloc(5);
      h[0] = 0x00; // BFINAL 0, BTYPE 00 (stored)
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      out.push(h, piece);
    }
    out.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])); // sync flush
    return Buffer.concat(out);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
