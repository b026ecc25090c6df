// An interactive shell behind a terminal, as `kubectl exec -it POD -- sh` gets one: the
// shell keeps its state (variables, functions, cwd, files) from command to command, prints
// its prompt, and reads what is typed through a pseudo-terminal's line discipline (the
// client's terminal is raw, so echo, backspace, Ctrl-C, Ctrl-U and Ctrl-D are done here,
// and \n goes out as \r\n). The CLI's in-process exec and attach and the API server's
// pods/exec and pods/attach drive the same class. (Without a terminal, `-i` alone, the
// shell reads its whole stdin as a script instead: src/shell/exec.ts.)

import { ParseError, parseAll } from './parser';
import { Session, driveAsync, type AsyncShellOptions } from './run';

/** What the terminal shows (a terminal merges stdout and stderr). */
export type ShellOutput = (text: string) => void;

const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';
const ERASE = new Set(['\x7f', '\b']);

export class InteractiveShell {
  private readonly s: Session;
  /** What is being typed on the current line (terminal mode). */
  private line = '';
  /** Complete lines of a command not finished yet (an open `if`, quote or here-document). */
  private pending = '';
  /** Partial escape sequence (arrow keys): dropped, there is no history or cursor motion. */
  private escape = '';
  private queue: Promise<void> = Promise.resolve();
  private ended = false;
  private resolveDone!: (code: number) => void;
  /** The shell's exit status once it ended (`exit`, Ctrl-D, or the end of its input). */
  readonly done: Promise<number>;

  constructor(
    private readonly o: AsyncShellOptions,
    private readonly output: ShellOutput,
  ) {
    this.s = new Session('', o);
    this.done = new Promise((res) => (this.resolveDone = res));
  }

  /** Files as the shell left them so far (exec keeps what it wrote in the container). */
  files(): ReadonlyMap<string, string> {
    return this.s.g.vfs.files;
  }

  /** The first prompt. */
  start(): void {
    this.output(this.prompt());
  }

  /** Bytes from the client's stdin, in order; each command runs before the next is read. */
  input(data: string): void {
    this.queue = this.queue.then(() => this.feed(data));
  }

  /** The client's stdin ended (or it left): the shell exits with its last status. */
  end(): void {
    this.queue = this.queue.then(() => this.finish(this.s.sh.status));
  }

  private async feed(data: string): Promise<void> {
    for (const c of data) {
      if (this.ended) return;
      if (this.escape || c === '\x1b') {
        this.escape += c;
        // ESC [ ... final byte (0x40-0x7e), or ESC and one other character
        if (this.escape.length >= 2 && (this.escape[1] !== '[' || (this.escape.length > 2 && /[\x40-\x7e]/.test(c)))) this.escape = '';
        continue;
      }
      if (c === '\r' || c === '\n') {
        this.output('\r\n');
        const text = this.line;
        this.line = '';
        await this.submit(text);
      } else if (ERASE.has(c)) {
        if (this.line) {
          this.line = this.line.slice(0, -1);
          this.output('\b \b');
        }
      } else if (c === CTRL_U) {
        this.output('\b \b'.repeat(this.line.length));
        this.line = '';
      } else if (c === CTRL_C) {
        // SIGINT at the prompt: the line is dropped, status 130, a new prompt
        this.output('^C\r\n');
        this.line = '';
        this.pending = '';
        this.s.sh.status = 130;
        this.output(this.prompt());
      } else if (c === CTRL_D) {
        if (this.line === '' && this.pending === '') {
          this.output(this.s.g.name === 'bash' ? 'exit\r\n' : '\r\n');
          this.finish(this.s.sh.status);
        }
      } else if (c >= ' ' || c === '\t') {
        this.line += c;
        this.output(c);
      }
    }
  }

  /** A typed line: run once the command it belongs to is complete, else ask for more. */
  private async submit(text: string): Promise<void> {
    const src = this.pending + text + '\n';
    if (incomplete(src)) {
      this.pending = src;
      this.output('> ');
      return;
    }
    this.pending = '';
    const code = await driveAsync(this.s, this.s.interactive(src), this.o);
    this.s.sh.status = code;
    this.flush();
    this.s.slept();
    if (this.s.exited) this.finish(code);
    else this.output(this.prompt());
  }

  /** What the command wrote, both streams in order; the line discipline turns \n into \r\n. */
  private flush(): void {
    for (const c of this.s.chunks.splice(0)) this.output(c.text.replace(/\r?\n/g, '\r\n'));
  }

  private finish(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.resolveDone(code);
  }

  /** PS1 as the image's shell sets it by default (busybox ash `/ # `, dash `# `, bash `root@host:/# `). */
  private prompt(): string {
    const { sh, g } = this.s;
    const ps1 = sh.vars.get('PS1');
    if (ps1 !== undefined) return ps1;
    const mark = g.uid === 0 ? '#' : '$';
    const home = sh.vars.get('HOME');
    const cwd = home && home !== '/' && (sh.cwd === home || sh.cwd.startsWith(home + '/')) ? '~' + sh.cwd.slice(home.length) : sh.cwd;
    if (g.name === 'bash') return `${g.uid === 0 ? 'root' : 'I have no name!'}@${g.hostname}:${cwd}${mark} `;
    return g.flavor === 'busybox' ? `${cwd} ${mark} ` : `${mark} `;
  }
}

/** Whether `src` ends inside a command (an open compound, quote or here-document). */
export function incomplete(src: string): boolean {
  try {
    parseAll(src);
    return false;
  } catch (e) {
    return e instanceof ParseError && (e.kind === 'eof' || e.kind === 'unterminated');
  }
}
