// Go's text for a failed file system call (syscall.Errno.Error(), as os.Open and os.ReadFile
// print it): users see `input/output error`, never Node's `EIO: i/o error, read`.

const GO_ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EIO: 'input/output error',
  ENXIO: 'no such device or address',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in system',
  ENODEV: 'no such device',
  EINVAL: 'invalid argument',
  ETXTBSY: 'text file busy',
  EFBIG: 'file too large',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/** Go's error text for a failed os.Stat/os.Open/os.ReadFile (`no such file or directory`). */
export function fsErrorText(e: unknown): string {
  const code = (e as { code?: string })?.code;
  if (code && GO_ERRNO[code]) return GO_ERRNO[code];
  const message = (e as Error)?.message ?? String(e);
  // Node's "ECODE: what, syscall 'path'": the middle part.
  return /^E[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message;
}
